#!/usr/bin/env bash
# The action's sandbox step: bubblewrap (and ripgrep for the grep tool) from
# apt when missing, and on Ubuntu 24.04 runners the AppArmor switch that lets
# unprivileged user namespaces run (endure doctor names the same fix).
# Nothing to do for --sandbox host or container.
set -euo pipefail
[ "${ENDURE_SANDBOX:-bwrap}" = "bwrap" ] || exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
need=()
command -v bwrap >/dev/null 2>&1 || need+=(bubblewrap)
command -v rg >/dev/null 2>&1 || need+=(ripgrep)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi
restrict=/proc/sys/kernel/apparmor_restrict_unprivileged_userns
if [ -r "$restrict" ] && [ "$(cat "$restrict")" = "1" ]; then
  $sudo sysctl -q -w kernel.apparmor_restrict_unprivileged_userns=0
fi
if ! bwrap --dev-bind / / --unshare-user --unshare-pid true 2>/dev/null; then
  echo "::error::bubblewrap cannot start a sandbox on this runner; set the action's sandbox input to host (tools then run unconfined) or use a runner that allows user namespaces"
  exit 1
fi
