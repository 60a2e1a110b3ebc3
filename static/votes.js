// Progressive enhancement for readers' votes: "Too high / Right / Too low",
// "Helpful" and the ranking form post in the background (asking for JSON)
// and update the page in place; ranking entries can be dragged into order,
// which renumbers their boxes; and a reader who has voted here before sees
// their own choices pressed (from the private /my-votes answer, since the
// page itself is the same for everyone). Without this script every form
// posts as usual and answers with a page of its own.
(function () {
  "use strict";
  var article = document.querySelector("article[data-slug]");
  if (!article || !window.fetch || !window.URLSearchParams) return;
  var slug = article.getAttribute("data-slug");
  var VOTED = "cuesheet-voted";

  function remember() {
    try { window.localStorage.setItem(VOTED, "1"); } catch (e) { /* storage off: no highlights later */ }
  }
  function hasVoted() {
    try { return window.localStorage.getItem(VOTED) === "1"; } catch (e) { return false; }
  }

  function send(form, params) {
    return fetch(form.action, {
      method: "POST",
      body: params,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) throw new Error(data.error || "Your vote could not be counted. Please try again.");
        remember();
        return data;
      });
    });
  }

  function pressVerdict(form, verdict) {
    Array.prototype.forEach.call(form.querySelectorAll("button[name=verdict]"), function (b) {
      b.setAttribute("aria-pressed", b.value === verdict ? "true" : "false");
    });
  }

  function pressHelpful(form, marked) {
    var button = form.querySelector("button");
    var field = form.querySelector("input[name=helpful]");
    button.setAttribute("aria-pressed", marked ? "true" : "false");
    field.value = marked ? "0" : "1";
  }

  // Rank verdicts.
  Array.prototype.forEach.call(document.querySelectorAll("form.rank-vote"), function (form) {
    var status = form.querySelector(".vote-totals");
    pressVerdict(form, null);
    form.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || button.name !== "verdict") return;
      event.preventDefault();
      var params = new URLSearchParams();
      params.append("verdict", button.value);
      send(form, params).then(function (data) {
        pressVerdict(form, data.verdict);
        status.textContent = data.shown ? "Readers: " + data.text : "Thank you: your vote is counted.";
      }, function (err) { status.textContent = err.message; });
    });
  });

  // Helpful marks.
  Array.prototype.forEach.call(document.querySelectorAll("form.helpful"), function (form) {
    var count = form.querySelector(".helpful-count");
    form.querySelector("button").setAttribute("aria-pressed", "false");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var params = new URLSearchParams();
      params.append("helpful", form.querySelector("input[name=helpful]").value);
      send(form, params).then(function (data) {
        pressHelpful(form, data.helpful);
        count.textContent = data.count > 0 ? data.text.replace(/\.$/, "") : "";
      }, function (err) { count.textContent = err.message; });
    });
  });

  // The ranking: drag entries into order; each list's boxes follow.
  var ballot = document.querySelector("form.ballot-form");
  function renumber(list) {
    Array.prototype.forEach.call(list.querySelectorAll("li.ballot-item"), function (li, i) {
      li.querySelector("input").value = String(i + 1);
    });
  }
  if (ballot) {
    var dragged = null;
    Array.prototype.forEach.call(ballot.querySelectorAll("li.ballot-item"), function (li) {
      li.setAttribute("draggable", "true");
      li.classList.add("draggable");
      li.addEventListener("dragstart", function (e) {
        dragged = li;
        li.classList.add("dragging");
        if (e.dataTransfer) e.dataTransfer.setData("text/plain", li.getAttribute("data-record"));
      });
      li.addEventListener("dragend", function () {
        li.classList.remove("dragging");
        dragged = null;
      });
      li.addEventListener("dragover", function (e) {
        if (!dragged || dragged === li || dragged.parentNode !== li.parentNode) return;
        e.preventDefault();
        var box = li.getBoundingClientRect();
        var after = e.clientY > box.top + box.height / 2;
        li.parentNode.insertBefore(dragged, after ? li.nextSibling : li);
        renumber(li.parentNode);
      });
      li.addEventListener("drop", function (e) { e.preventDefault(); });
    });
    var ballotStatus = ballot.querySelector(".ballot-status");
    ballot.addEventListener("submit", function (event) {
      event.preventDefault();
      var params = new URLSearchParams();
      Array.prototype.forEach.call(ballot.querySelectorAll("input[name^=place-]"), function (input) {
        params.append(input.name, input.value);
      });
      send(ballot, params).then(function (data) {
        ballotStatus.textContent = "Your ranking is counted. " + data.text;
      }, function (err) { ballotStatus.textContent = err.message; });
    });
  }

  // The reader's own votes, when they have voted from this browser.
  if (!hasVoted()) return;
  fetch("/articles/" + encodeURIComponent(slug) + "/my-votes", {
    credentials: "same-origin",
    headers: { Accept: "application/json" }
  }).then(function (res) { return res.ok ? res.json() : null; }).then(function (mine) {
    if (!mine) return;
    Array.prototype.forEach.call(document.querySelectorAll("form.rank-vote"), function (form) {
      var verdict = mine.verdicts[form.getAttribute("data-record")];
      if (verdict) pressVerdict(form, verdict);
    });
    Array.prototype.forEach.call(document.querySelectorAll("form.helpful"), function (form) {
      if (mine.helpful.indexOf(Number(form.getAttribute("data-comment"))) >= 0) pressHelpful(form, true);
    });
    if (ballot && mine.ranking.length) {
      Array.prototype.forEach.call(ballot.querySelectorAll("ol.ballot-list"), function (list) {
        mine.ranking.forEach(function (record) {
          var li = list.querySelector("li[data-record='" + record.replace(/'/g, "") + "']");
          if (li) list.appendChild(li);
        });
        renumber(list);
      });
    }
  }, function () { /* highlights are a nicety */ });
})();
