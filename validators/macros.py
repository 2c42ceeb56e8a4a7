"""Compare the macros a received workbook carries with the standard template's, without running them.

Excel recompiles a project when it saves, so the bytes of vbaProject.bin change with every save; the
comparison is of the modules' source code (olevba decompresses it), ignoring Attribute lines, blank lines
and the empty sheet modules Excel adds.
"""

from __future__ import annotations

import hashlib
from functools import cache, lru_cache
from types import ModuleType

from kehoach.workbook_templates.vba_project import VBA_DIR

IGNORED = ("attribute ", "option explicit")


def _normalized(code: str) -> str:
    lines = (line.strip() for line in code.replace("\r\n", "\n").split("\n"))
    return "\n".join(line for line in lines if line and not line.lower().startswith(IGNORED))


@cache
def official_modules() -> dict[str, str]:
    """Module name -> normalized source of the standard template's project."""
    return {path.stem: _normalized(path.read_text(encoding="ascii")) for path in sorted(VBA_DIR.glob("*.*"))}


@cache
def official_digest() -> str:
    from kehoach.workbook_templates.vba_project import vba_project

    return hashlib.sha256(vba_project()).hexdigest()


@cache
def _olevba() -> ModuleType:
    """olevba (imported only for files with macros), its decompression memoized. It decompresses every module in
    pure Python, 16 ms for the template's project; the compressed modules are the same bytes in every file whose
    macros were compressed alike, so the next such project costs 0.6 ms. A memo keyed by the compressed bytes
    cannot give a wrong answer, only a miss."""
    from oletools import olevba

    original = olevba.decompress_stream
    memo = lru_cache(maxsize=256)(lambda container: original(bytearray(container)))
    olevba.decompress_stream = lambda container: memo(bytes(container))
    return olevba


def foreign_modules(vba: bytes) -> list[str]:
    """Names of the modules that are not the template's, or differ from it (empty when all match)."""
    if hashlib.sha256(vba).hexdigest() == official_digest():  # the template as built, never saved by Excel
        return []
    parser = _olevba().VBA_Parser("vbaProject.bin", data=vba)
    try:
        found = {name.rsplit(".", 1)[0]: _normalized(code) for _f, _s, name, code in parser.extract_macros()}
    finally:
        parser.close()
    official = official_modules()
    return sorted(name for name, code in found.items() if code and official.get(name) != code)
