#!/usr/bin/env bash
# Lighthouse scores of one page (default: a ranked article) served by a real
# `cuesheet serve` over a fresh SQLite file, in Debian's Chromium, headless.
# Prints the performance, accessibility, best-practices and SEO scores and
# writes the full reports to target/lighthouse/. A report, not a gate: it
# exits non-zero only when Lighthouse cannot run at all.
#
#   bash .ci/browser/lighthouse.sh [PATH] [--preset=desktop]
#
# CUESHEET_BIN picks the server binary (default: debug/cuesheet under
# $CARGO_TARGET_DIR or target/, built if missing); CHROME_PATH the browser
# (default: /usr/bin/chromium).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
page="/articles/soundtracks-that-hit-harder-than-the-plot"
extra=()
for arg in "$@"; do
  case "$arg" in
    /*) page="$arg" ;;
    *) extra+=("$arg") ;;
  esac
done

lighthouse="$here/node_modules/.bin/lighthouse"
[ -x "$lighthouse" ] || (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
export CHROME_PATH="${CHROME_PATH:-/usr/bin/chromium}"
bin="${CUESHEET_BIN:-${CARGO_TARGET_DIR:-$repo/target}/debug/cuesheet}"
[ -x "$bin" ] || (cd "$repo" && cargo build --quiet --bin cuesheet)

tmp="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap "exit 143" INT TERM

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
env -u CUESHEET_BIND -u CUESHEET_NO_IMPORT DATABASE_URL="sqlite://$tmp/db.sqlite" CUESHEET_LOG=warn \
  "$bin" serve --bind "127.0.0.1:$port" --content "$repo/content" >"$tmp/server.log" 2>&1 &
server=$!
url="http://127.0.0.1:$port$page"
for _ in $(seq 1 300); do
  curl -fso /dev/null "$url" && break
  kill -0 "$server" 2>/dev/null || { cat "$tmp/server.log" >&2; exit 1; }
  sleep 0.1
done
curl -fso /dev/null "$url" || { echo "the server did not answer at $url" >&2; exit 1; }

out="${CARGO_TARGET_DIR:-$repo/target}/lighthouse"
mkdir -p "$out"
flags="--headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update"
flags="$flags --disable-sync --disable-quic --no-first-run --user-data-dir=$tmp/profile"
"$lighthouse" "$url" --quiet --chrome-flags="$flags" --output=json --output=html \
  --output-path="$out/report" ${extra[@]+"${extra[@]}"}

node -e '
const r = require(process.argv[1]);
console.log("Lighthouse " + r.lighthouseVersion + " on " + r.finalDisplayedUrl + " (" + (r.configSettings.formFactor) + ")");
for (const id of ["performance", "accessibility", "best-practices", "seo"]) {
  const c = r.categories[id];
  console.log("  " + c.title.padEnd(16) + " " + Math.round(c.score * 100));
}
for (const c of Object.values(r.categories)) for (const ref of c.auditRefs) {
  const a = r.audits[ref.id];
  if (ref.weight > 0 && a.score !== null && a.score < 1) console.log("  below full marks: " + c.id + " / " + a.id + " (" + a.title + ")" + (a.displayValue ? ": " + a.displayValue : ""));
}
const m = r.audits;
console.log("  FCP " + m["first-contentful-paint"].displayValue + ", LCP " + m["largest-contentful-paint"].displayValue + ", TBT " + m["total-blocking-time"].displayValue + ", CLS " + m["cumulative-layout-shift"].displayValue);
' "$out/report.report.json"
echo "reports: $out/report.report.html, $out/report.report.json"
