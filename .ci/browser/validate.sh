#!/usr/bin/env bash
# The Nu HTML Checker over the raw HTML of every page type: public pages,
# error pages (404, a refused comment's 422, a form without its token's
# 403) and the editor desk, as `cuesheet serve` sends them. The pages are
# saved to target/html/ by the test `every_page_type_is_saved_for_the_html_checker`
# in tests/browser.rs (a real server over a fresh SQLite file; no browser).
# Fails on any error; warnings are printed and do not fail.
#
#   bash .ci/browser/validate.sh           # save the pages, then check them
#   bash .ci/browser/validate.sh --saved   # check the pages already saved
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out="${CARGO_TARGET_DIR:-$repo/target}/html"
jar="$here/node_modules/vnu-jar/build/dist/vnu.jar"
[ -f "$jar" ] || bash "$here/install.sh"

if [ "${1:-}" != "--saved" ]; then
  rm -rf "$out"
  (cd "$repo" && cargo test --quiet --test browser -- --exact every_page_type_is_saved_for_the_html_checker)
fi
count="$(find "$out" -maxdepth 1 -name '*.html' 2>/dev/null | wc -l)"
if [ "$count" -lt 33 ]; then
  echo "expected at least 33 pages in $out, found $count" >&2
  exit 1
fi
echo "Nu HTML Checker $(java -jar "$jar" --version) on $count pages in $out"
if java -jar "$jar" --skip-non-html --format gnu "$out"; then
  echo "Nu HTML Checker: no errors in $count pages"
else
  echo "Nu HTML Checker: errors above (file:line.column-line.column: error: message)" >&2
  exit 1
fi
