#!/usr/bin/env bash
# The action's install step: endure from the action's own checkout, installed
# the way users get it from npm (pack, then a global install into a prefix
# under RUNNER_TEMP), its bin directory added to GITHUB_PATH for later steps.
# A checkout without a build (the usual case) is built first.
set -euo pipefail
cd "$ENDURE_ACTION_PATH"
if [ ! -f dist/src/cli/main.js ]; then
  npm ci --no-audit --no-fund --loglevel=error
  npm run build --silent
fi
prefix="$RUNNER_TEMP/endure-cli"
tarball="$(npm pack --silent --pack-destination "$RUNNER_TEMP" | tail -n 1)"
npm install -g --prefix "$prefix" "$RUNNER_TEMP/$tarball" --prefer-offline --no-audit --no-fund --loglevel=error
rm -f "$RUNNER_TEMP/$tarball"
echo "$prefix/bin" >> "$GITHUB_PATH"
echo "endure $("$prefix/bin/endure" --version) installed in $prefix"
