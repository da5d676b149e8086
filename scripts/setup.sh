#!/usr/bin/env bash
# One-step set-up on a fresh Debian/Ubuntu machine: the system tools endure's
# sandbox and tool servers use (bubblewrap, git, ripgrep; tmux for the UI's
# end-to-end test; curl for the network allow-list test), the npm packages (which bring Node 22 themselves through the
# `node` devDependency), and a build. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pair in bwrap:bubblewrap git:git rg:ripgrep tmux:tmux curl:curl; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || need+=("${pair##*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

npm ci --no-fund --no-audit --loglevel=error
npm run build --silent
