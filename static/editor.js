// Progressive enhancement for the editor desk: "Add as an entry" in the
// record picker inserts the {soundtrack=...} attribute where the cursor is
// instead of appending a new entry. Without this script the button still
// works: the server appends an entry for the record.
(function () {
  "use strict";
  var body = document.getElementById("f-body");
  if (!body) return;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-insert]");
    if (!button) return;
    event.preventDefault();
    var text = " " + button.dataset.insert;
    var start = body.selectionStart, end = body.selectionEnd;
    body.value = body.value.slice(0, start) + text + body.value.slice(end);
    body.focus();
    body.selectionStart = body.selectionEnd = start + text.length;
  });
})();
