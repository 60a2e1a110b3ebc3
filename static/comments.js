// Progressive enhancement for the comment form: "Reply" moves the form under
// the comment instead of reloading the page, "Discuss this entry" picks the
// entry, and a commenter who asked to be remembered finds their name, email
// and website filled in from the remember-me cookie (the page itself is the
// same for everyone, so the server never fills them). Without this script
// the same links reload the page with the form set and those fields are
// simply empty, so everything works without JavaScript.
(function () {
  "use strict";
  var respond = document.getElementById("respond");
  if (!respond) return;
  var home = document.createComment("respond");
  respond.parentNode.insertBefore(home, respond);
  var parent = document.getElementById("comment_parent");
  var title = document.getElementById("reply-title");
  var text = document.getElementById("comment");
  var original = title.textContent;

  // The remember-me cookie: form-encoded author, email and url. Over HTTPS
  // its name carries the __Host- prefix. Fields already typed are kept.
  (function remembered() {
    var names = ["__Host-cuesheet_commenter", "cuesheet_commenter"];
    var value = null;
    document.cookie.split(";").forEach(function (pair) {
      var i = pair.indexOf("=");
      var name = pair.slice(0, i).trim();
      if (value === null && names.indexOf(name) >= 0) value = pair.slice(i + 1).trim();
    });
    if (!value) return;
    var fields = new URLSearchParams(value);
    // A form sent back with errors keeps the commenter's own choices.
    var author = document.getElementById("author");
    var fresh = author && !author.value;
    ["author", "email", "url"].forEach(function (name) {
      var input = document.getElementById(name);
      if (input && !input.value && fields.get(name)) input.value = fields.get(name);
    });
    var remember = document.getElementById("remember");
    if (remember && fresh) remember.checked = true;
  })();

  function cancelLink() {
    var p = respond.querySelector(".cancel-reply");
    if (!p) {
      p = document.createElement("p");
      p.className = "cancel-reply";
      var a = document.createElement("a");
      a.href = "#respond";
      a.textContent = "Cancel reply";
      p.appendChild(a);
      title.insertAdjacentElement("afterend", p);
    }
    return p;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-reply]");
    if (link) {
      event.preventDefault();
      var item = document.getElementById("comment-" + link.dataset.reply);
      if (!item) return;
      var body = item.querySelector(".comment-body");
      body.insertAdjacentElement("afterend", respond);
      parent.value = link.dataset.reply;
      // The name is isolated, so a right-to-left override in it cannot
      // turn the words around it.
      var who = document.createElement("bdi");
      who.textContent = link.dataset.author;
      title.textContent = "Reply to ";
      title.appendChild(who);
      cancelLink().hidden = false;
      text.focus();
      return;
    }
    var cancel = event.target.closest(".cancel-reply a");
    if (cancel) {
      event.preventDefault();
      home.parentNode.insertBefore(respond, home.nextSibling);
      parent.value = "";
      title.textContent = original;
      cancel.parentNode.hidden = true;
      text.focus();
      return;
    }
    var discuss = event.target.closest("a[data-entry]");
    if (discuss) {
      var select = document.getElementById("entry");
      if (select) select.value = discuss.dataset.entry;
    }
  });
})();
