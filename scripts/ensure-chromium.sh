#!/usr/bin/env bash
# Install Debian's headless Chromium for the report rendering check, if missing.
# Never fails the caller: the browser test skips with a clear message if this could not install it.
set -u
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: no apt-get here; the browser check will be skipped" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO="sudo -n"; else
    echo "ensure-chromium: not root and no sudo; the browser check will be skipped" >&2
    exit 0
  fi
fi
echo "ensure-chromium: installing Debian chromium (once)..." >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq >/dev/null 2>&1 || true
$SUDO apt-get install -y -qq --no-install-recommends chromium >/dev/null 2>&1 \
  || echo "ensure-chromium: could not install chromium; the browser check will be skipped" >&2
exit 0
