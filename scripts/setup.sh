#!/usr/bin/env bash
# Install kehoach and what it needs on a fresh Debian machine (run as root, or with sudo available).
#   bash scripts/setup.sh          the tool itself (Python packages)
#   bash scripts/setup.sh --test   also what the tests need: LibreOffice (formula recalculation),
#                                  poppler (PDF to PNG), fonts, and the test Python packages
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=no
[ "${1:-}" = "--test" ] && want_test=yes

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if [ "$want_test" = yes ]; then
  missing=()
  command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
  command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
  [ -d /usr/share/fonts/truetype/liberation ] || missing+=(fonts-liberation)
  if [ "${#missing[@]}" -gt 0 ]; then
    echo "setup: installing ${missing[*]}" >&2
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
  python3 -m pip install -q --disable-pip-version-check -e ".[test]"
else
  python3 -m pip install -q --disable-pip-version-check -e .
fi
