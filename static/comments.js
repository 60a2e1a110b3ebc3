// Progressive enhancement for the comment form: "Reply" moves the form under
// the comment instead of reloading the page, and "Discuss this entry" picks
// the entry. Without this script the same links reload the page with the
// form set, so everything works without JavaScript.
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
      title.textContent = "Reply to " + link.dataset.author;
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
