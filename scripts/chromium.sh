#!/usr/bin/env bash
# Prints the path of the Chromium the browser tests (make e2e) drive,
# installing Debian's `chromium` package first when /usr/bin/chromium is
# missing: once per machine, as root (or through sudo), with apt-get. A
# Chinese font (fonts-wqy-zenhei) comes with it, so that the admin
# console's 中文 screenshots show text, not boxes.
# CHROMIUM names another browser binary instead, and nothing is installed.
set -euo pipefail
if [ -n "${CHROMIUM:-}" ]; then
  echo "$CHROMIUM"
  exit 0
fi
bin=/usr/bin/chromium
need=
if [ ! -x "$bin" ]; then
  need=" chromium fonts-wqy-zenhei"
elif ! command -v fc-list >/dev/null || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  need=" fonts-wqy-zenhei"
fi
if [ -n "$need" ]; then
  sudo=
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "chromium.sh: $bin is missing; install Debian's chromium package, or set CHROMIUM" >&2; exit 1; }
    sudo=sudo
  fi
  echo "chromium.sh: installing Debian's$need (once; a minute or two)" >&2
  # The lock timeout waits for another apt-get (another checkout's tests)
  # instead of failing.
  $sudo apt-get -o DPkg::Lock::Timeout=600 update >&2
  DEBIAN_FRONTEND=noninteractive $sudo apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends $need >&2
fi
echo "$bin"
