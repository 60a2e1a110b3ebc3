// Progressive enhancement for the editor desk: "Add as an entry" in the
// record picker tells the server where the text cursor is, so the new entry
// (a whole heading with its record) goes in after the paragraph the cursor
// is in rather than at the end. The server does the inserting, at a block
// boundary, with or without this script; a text never clicked into has no
// cursor to speak of, and the entry goes at the end.
(function () {
  "use strict";
  var body = document.getElementById("f-body");
  var cursor = document.getElementById("f-cursor");
  if (!body || !cursor) return;
  var placed = false;
  body.addEventListener("focus", function () { placed = true; });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[name=action]");
    if (!button || button.value.indexOf("add:") !== 0) return;
    cursor.value = placed ? String(body.selectionStart) : "";
  });
})();
