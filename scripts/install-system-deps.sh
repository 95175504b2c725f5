#!/usr/bin/env bash
# Debian packages the test suite needs: Chromium for the browser tests, wrk for the benchmarks,
# nginx for the production layout (manage.py serve) and its test, bubblewrap for the code
# runner's sandbox, the toolchains it runs (gcc and g++, Node.js, a JDK), and ffmpeg/ffprobe for
# video processing (duration, thumbnails, HLS renditions).
# Installs only what is missing; uses sudo when not root.
set -euo pipefail

packages=()
video() { { command -v ffmpeg && command -v ffprobe; } >/dev/null 2>&1 || packages+=(ffmpeg); }
if [ "${1:-}" = "--video-only" ]; then
  video  # `make run`: what the demo video needs
else
  [ -x /usr/bin/chromium ] || packages+=(chromium)
  command -v wrk >/dev/null 2>&1 || packages+=(wrk)
  [ -x /usr/sbin/nginx ] || packages+=(nginx)
  command -v bwrap >/dev/null 2>&1 || packages+=(bubblewrap)
  command -v gcc >/dev/null 2>&1 || packages+=(gcc)
  command -v g++ >/dev/null 2>&1 || packages+=(g++)
  command -v node >/dev/null 2>&1 || packages+=(nodejs)
  command -v javac >/dev/null 2>&1 || packages+=(default-jdk-headless)
  video
fi

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
