#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium for the browser tests, wrk for the benchmarks,
# nginx for the production layout (manage.py serve) and its test.
# Installs only what is missing; uses sudo when not root.
set -euo pipefail

packages=()
[ -x /usr/bin/chromium ] || packages+=(chromium)
command -v wrk >/dev/null 2>&1 || packages+=(wrk)
[ -x /usr/sbin/nginx ] || packages+=(nginx)

if [ ${#packages[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "Need root to install: ${packages[*]} (apt-get install ${packages[*]})" >&2
    exit 1
  fi
fi

echo "Installing Debian packages: ${packages[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
