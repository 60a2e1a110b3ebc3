// Progressive enhancement for the editor desk's writing view. Everything
// here has a plain-form equivalent that works without it:
//
// - autosave: the form is sent to the server's autosave address a few
//   seconds after typing starts and then every few seconds while it goes on,
//   and once more when the page is hidden or left (a list not saved yet
//   becomes a draft; an existing one keeps the text as the editor's
//   autosave, never published by itself). Without it, every button that
//   leaves the page keeps the draft first.
// - a warning before leaving while something typed has not reached the
//   server;
// - the preview and the check's findings refreshed as you type, from the
//   server (the same templates the Preview button renders);
// - a finding's line number puts the cursor on that line;
// - "Add as an entry" tells the server where the cursor is, so the entry
//   goes in after the paragraph being written rather than at the end (the
//   server inserts a whole entry at a block boundary either way);
// - Enter in the record search finds records; Ctrl+S (or Cmd+S) saves;
// - "Upload and insert" sends the picture to the media library and puts its
//   Markdown at the cursor (without scripts the library opens beside the
//   page with the Markdown to paste).
(function () {
  "use strict";
  var form = document.querySelector("form.writing");
  var body = document.getElementById("f-body");
  if (!form || !body || !window.fetch || !window.URLSearchParams) return;

  var AUTOSAVE_AFTER = 3000;
  var PREVIEW_AFTER = 400;
  var saveState = document.getElementById("save-state");
  var previewState = document.getElementById("preview-state");
  var caretPlace = document.getElementById("caret-place");
  var cursor = document.getElementById("f-cursor");

  // The form as the server gets it. The cursor, the record search, the token
  // and the version are not part of the text: they do not make it unsaved.
  function fields() {
    return new URLSearchParams(new FormData(form));
  }
  function snapshot() {
    var data = fields();
    data.delete("cursor");
    data.delete("find");
    data.delete("csrf");
    data.delete("version");
    return data.toString();
  }
  function say(element, text, trouble) {
    if (!element) return;
    element.textContent = text;
    element.classList.toggle("trouble", !!trouble);
  }
  function post(url, data, keepalive) {
    return fetch(url, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "Accept": "application/json, text/html" }
    });
  }

  // ---- Autosave ----------------------------------------------------------

  var kept = snapshot(); // what the server has of this form
  var timer = null;
  var inFlight = false;
  var submitting = false;
  var isNew = !form.querySelector("input[name=version]").value;

  function unsaved() {
    return snapshot() !== kept;
  }
  function schedule() {
    if (!timer) timer = setTimeout(autosave, AUTOSAVE_AFTER);
  }

  // A list not saved yet became a draft: from now on the form is the
  // draft's, and the address bar says so.
  function becomeDraft(json) {
    isNew = false;
    form.action = json.edit;
    form.setAttribute("data-autosave", json.edit + "/autosave");
    form.setAttribute("data-preview", json.edit + "/preview");
    form.querySelector("input[name=version]").value = String(json.version);
    if (window.history && history.replaceState) history.replaceState(null, "", json.edit);
  }

  function answered(sent, res) {
    if (res.redirected) {
      say(saveState, "Not autosaved: you are logged out. Log in again in another tab; your text is still here.", true);
      return;
    }
    if ((res.headers.get("Content-Type") || "").indexOf("application/json") !== 0) {
      say(saveState, "Not autosaved: the server said " + res.status + ". Your text is still here.", true);
      return;
    }
    return res.json().then(function (json) {
      if (res.status === 201) {
        kept = sent;
        becomeDraft(json);
        say(saveState, "Kept as a draft at " + clock() + ".");
      } else if (res.ok) {
        kept = sent;
        if (json.stale) {
          say(saveState, "Autosaved at " + when(json.saved) + ", but someone else saved this list since you opened it: "
            + "saving will show you both versions.", true);
        } else {
          say(saveState, "Autosaved at " + when(json.saved) + ". Readers see the last saved version.");
        }
      } else {
        say(saveState, "Not autosaved yet: " + (json.error || "the server said " + res.status) + ".", true);
      }
    });
  }

  function autosave() {
    timer = null;
    if (submitting) return;
    if (inFlight) {
      schedule();
      return;
    }
    var sent = snapshot();
    if (sent === kept) return;
    inFlight = true;
    say(saveState, "Autosaving…");
    post(form.getAttribute("data-autosave"), fields())
      .then(function (res) { return answered(sent, res); })
      .catch(function () {
        say(saveState, "Not autosaved: the site cannot be reached. Your text is still here.", true);
      })
      .then(function () {
        inFlight = false;
        if (waiting !== null) {
          var button = waiting.button;
          waiting = null;
          if (form.requestSubmit) form.requestSubmit(button || undefined);
          else if (button) button.click();
          else form.submit();
          return;
        }
        if (unsaved()) schedule();
      });
  }

  // Leaving (or hiding) the page: one last autosave that outlives the page.
  // A list not saved yet is not sent twice at once: that would make two drafts.
  function flush() {
    if (submitting || !unsaved() || (isNew && inFlight)) return;
    var sent = snapshot();
    try {
      post(form.getAttribute("data-autosave"), fields(), true)
        .then(function (res) { return answered(sent, res); })
        .catch(function () {});
    } catch (e) {
      // keepalive refuses bodies over 64 KiB; the regular autosave has them.
    }
  }

  form.addEventListener("input", function (event) {
    if (event.target.name === "find") return;
    schedule();
    schedulePreview();
  });
  // A button pressed while a list not saved yet is being kept as a draft
  // waits for it: sent to the list's new address, it cannot make a second.
  var waiting = null;
  form.addEventListener("submit", function (event) {
    if (isNew && inFlight) {
      event.preventDefault();
      waiting = { button: event.submitter || null };
      return;
    }
    submitting = true;
    clearTimeout(timer);
  });
  window.addEventListener("pageshow", function () { submitting = false; });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") flush();
  });
  window.addEventListener("beforeunload", function (event) {
    if (submitting || !unsaved()) return;
    flush();
    event.preventDefault();
    event.returnValue = "";
  });

  // ---- Live preview and findings -----------------------------------------

  var previewTimer = null;
  var asked = 0;
  var shown = 0;

  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(refresh, PREVIEW_AFTER);
    var slot = document.getElementById("live-preview");
    if (slot) slot.classList.add("stale");
  }
  function swap(doc, id) {
    var fresh = doc.getElementById(id);
    var old = document.getElementById(id);
    if (fresh && old) old.replaceWith(document.importNode(fresh, true));
  }
  function refresh() {
    var n = ++asked;
    say(previewState, "Updating…");
    post(form.getAttribute("data-preview"), fields())
      .then(function (res) {
        if (!res.ok || res.redirected) throw new Error(String(res.status));
        return res.text();
      })
      .then(function (html) {
        if (n < shown) return; // an older answer, come late
        shown = n;
        var doc = new DOMParser().parseFromString(html, "text/html");
        swap(doc, "live-preview");
        swap(doc, "live-problems");
        swap(doc, "live-count");
        say(previewState, n === asked ? "Updated at " + clock() : "Updating…");
      })
      .catch(function () {
        var slot = document.getElementById("live-preview");
        if (slot) slot.classList.remove("stale");
        say(previewState, "Not updated: press Preview", true);
      });
  }
  form.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT") schedulePreview();
  });

  // "3 December 2026, 08:04 UTC" from the server: the time of day is enough.
  function when(saved) {
    return String(saved).split(", ").pop();
  }
  function clock() {
    var d = new Date();
    return String(d.getHours()).padStart(2, "0") + ":" + String(d.getMinutes()).padStart(2, "0");
  }

  // ---- The text cursor ---------------------------------------------------

  // Where a line (from 1) and a column (in characters, from 1) are in the
  // text, in the UTF-16 units a textarea counts in.
  function offsetOf(line, column) {
    var lines = body.value.split("\n");
    var at = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) at += lines[i].length + 1;
    var here = lines[Math.min(line, lines.length) - 1] || "";
    return at + Array.from(here).slice(0, Math.max(column - 1, 0)).join("").length;
  }
  function showCaret() {
    if (!caretPlace) return;
    var before = body.value.slice(0, body.selectionStart).split("\n");
    caretPlace.textContent = "Line " + before.length + ", column " + (Array.from(before[before.length - 1]).length + 1);
  }
  ["keyup", "click", "focus", "select"].forEach(function (type) { body.addEventListener(type, showCaret); });

  var placed = false;
  body.addEventListener("focus", function () { placed = true; });

  document.addEventListener("click", function (event) {
    var jump = event.target.closest("#live-problems a[data-line]");
    if (jump) {
      event.preventDefault();
      var at = offsetOf(Number(jump.getAttribute("data-line")), Number(jump.getAttribute("data-column")));
      // Blur first, so that focusing scrolls the caret into view.
      body.blur();
      body.setSelectionRange(at, at);
      body.focus();
      body.scrollIntoView({ block: "nearest" });
      showCaret();
      return;
    }
    var button = event.target.closest("button[name=action]");
    if (button && cursor && button.value.indexOf("add:") === 0) {
      cursor.value = placed ? String(body.selectionStart) : "";
    }
  });

  // ---- Keys --------------------------------------------------------------

  var find = document.getElementById("f-find");
  if (find) {
    find.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") return;
      event.preventDefault();
      var button = form.querySelector("button[value=find]");
      if (button) button.click();
    });
  }
  // ---- Pictures ----------------------------------------------------------

  var upload = document.getElementById("picture-upload");
  var pictureState = document.getElementById("p-state");
  if (upload && window.FormData) {
    upload.addEventListener("submit", function (event) {
      event.preventDefault();
      var start = body.selectionStart, end = body.selectionEnd;
      say(pictureState, "Uploading…");
      fetch(upload.action, {
        method: "POST",
        body: new FormData(upload),
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (res) {
        return res.json().then(function (answer) { return { ok: res.ok, answer: answer }; });
      }).then(function (r) {
        if (!r.ok) {
          say(pictureState, r.answer.error || "The picture was not taken.", true);
          return;
        }
        var before = body.value.slice(0, start);
        var text = (before && !/\n\n$/.test(before) ? (/\n$/.test(before) ? "\n" : "\n\n") : "") + r.answer.markdown + "\n\n";
        body.setRangeText(text, start, end, "end");
        body.dispatchEvent(new Event("input", { bubbles: true }));
        body.focus();
        upload.reset();
        document.getElementById("p-file").value = "";
        document.getElementById("p-alt").value = "";
        say(pictureState, "Added " + r.answer.name + " at the cursor.");
      }).catch(function () {
        say(pictureState, "The picture could not be sent; try again.", true);
      });
    });
  }

  document.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key === "s") {
      event.preventDefault();
      var save = form.querySelector("button[value=save]");
      if (save) save.click();
    }
  });
})();
