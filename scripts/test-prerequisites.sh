#!/usr/bin/env bash
# What the test suite needs beyond the .NET SDK: Debian's chromium (the status page's browser test) and kubectl
# (the tests that drive the sandbox with it). Missing ones are installed with apt-get when this runs as root (a
# fresh CI machine or container); otherwise the command to run is printed and the tests that need them fail
# saying so.
set -euo pipefail
missing=()
command -v kubectl >/dev/null 2>&1 || missing+=(kubectl)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing ${missing[*]} for the tests (apt-get)" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}") >/dev/null
else
  echo "the tests need ${missing[*]}: sudo apt-get install -y ${missing[*]}" >&2
fi
