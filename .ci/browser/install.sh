#!/usr/bin/env bash
# Installs what the browser checks need, from Debian and npm only (no tool
# downloads a browser or a runtime of its own):
#   - Chromium and ChromeDriver: Debian's chromium and chromium-driver;
#   - a Java runtime for the Nu HTML Checker, if the machine has none;
#   - the npm tools pinned by package-lock.json: axe-core, vnu-jar (the Nu
#     HTML Checker) and Lighthouse.
# Safe to run again: it installs only what is missing or out of date.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v chromedriver >/dev/null || need+=(chromium-driver)
command -v java >/dev/null || need+=(default-jre-headless)
command -v npm >/dev/null || need+=(nodejs npm)
if ((${#need[@]})); then
  echo "installing ${need[*]} from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi

# npm ci when node_modules is missing or older than the lock file.
if [ ! -f "$here/node_modules/.package-lock.json" ] ||
   [ "$here/package-lock.json" -nt "$here/node_modules/.package-lock.json" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error)
fi

chromium --version 2>/dev/null
chromedriver --version
java -version 2>&1 | head -1
echo "axe-core $(node -p 'require(process.argv[1]).version' "$here/node_modules/axe-core/package.json"), \
vnu-jar $(node -p 'require(process.argv[1]).version' "$here/node_modules/vnu-jar/package.json"), \
lighthouse $(node -p 'require(process.argv[1]).version' "$here/node_modules/lighthouse/package.json")"
