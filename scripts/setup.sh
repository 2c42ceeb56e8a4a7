#!/usr/bin/env bash
# Install kehoach and what it needs into the repository's own virtual environment, .venv (run as root, or with
# sudo available). The same on any machine: a developer's Python with pip, or a stock Debian 12 / Ubuntu 24.04
# whose python3 has no pip and is externally managed (PEP 668): nothing is installed into the system Python.
#   bash scripts/setup.sh          the tool itself: .venv/bin/kehoach
#   bash scripts/setup.sh --test   also what the tests need: LibreOffice (formula recalculation),
#                                  poppler (PDF to PNG), fonts, and the test Python packages
# Environment: KEHOACH_PYTHON, the interpreter that creates the environment (default python3, installed with
# apt when missing); KEHOACH_VENV, where the environment goes (default .venv in the repository).
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=no
[ "${1:-}" = "--test" ] && want_test=yes
python=${KEHOACH_PYTHON:-python3}
venv=${KEHOACH_VENV:-.venv}

say() { echo "setup: $*" >&2; }
die() { say "LỖI: $*"; exit 2; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=no
apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "thiếu $*, mà máy này không có apt-get để cài: hãy tự cài rồi chạy lại."
  say "đang cài $* (apt)"
  if [ "$apt_updated" = no ]; then as_root apt-get update -qq; apt_updated=yes; fi
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# An interpreter that can create a virtual environment with pip in it (Debian keeps ensurepip in python3-venv).
command -v "$python" >/dev/null 2>&1 || apt_install python3 python3-venv
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || die "kehoach cần Python 3.11 trở lên; $python là $("$python" -V 2>&1)."
"$python" -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
"$python" -c 'import ensurepip, venv' 2>/dev/null || die "$python không tạo được môi trường ảo (thiếu ensurepip/venv)."

# The environment: kept when it works, so that a second run only updates it.
if ! "$venv/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
  || ! "$venv/bin/python" -m pip --version >/dev/null 2>&1; then
  say "đang tạo môi trường ảo $venv"
  "$python" -m venv --clear "$venv"
fi
pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check)

if [ "$want_test" = yes ]; then
  missing=()
  command -v soffice >/dev/null 2>&1 || missing+=(libreoffice-calc-nogui)
  # Writer: the draft report (.docx) to PDF in the report tests; Debian and Ubuntu install it here.
  [ -e /usr/lib/libreoffice/program/libswlo.so ] || missing+=(libreoffice-writer-nogui)
  command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
  [ -d /usr/share/fonts/truetype/liberation ] || missing+=(fonts-liberation)
  [ "${#missing[@]}" -eq 0 ] || apt_install "${missing[@]}"
  "${pip[@]}" -e ".[test]"
else
  "${pip[@]}" -e .
fi
say "xong: $venv/bin/kehoach (hoặc «. $venv/bin/activate» rồi gọi kehoach)"
