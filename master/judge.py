"""What judged a file: the digest under which a validation result may be reused.

A result kept in the ledger is valid only as long as everything that produced it is unchanged: the catalog
(its template version and every row the rules read), the rules and the engine (the source of the
``validators`` package), the layout and formulas they rely on (``workbook_templates``, whose catalog folder
also holds the column lists the layout reads), what the merge extracts (``master/extract.py``) and the tool's
version. Any change gives another digest, and every file is validated again.
"""

from __future__ import annotations

import hashlib
from importlib import metadata
from pathlib import Path

import kehoach.validators
import kehoach.workbook_templates
from kehoach.master import extract
from kehoach.workbook_templates.catalog import Catalog

SKIPPED_DIRS = {"__pycache__"}


def tool_version() -> str:
    try:
        return metadata.version("kehoach")
    except metadata.PackageNotFoundError:
        return "unknown"


def judge_digest(catalog: Catalog) -> str:
    """SHA-256 of the catalog as loaded, the code that validates and extracts, and the tool version. About a
    megabyte read once per merge (a few milliseconds)."""
    digest = hashlib.sha256()
    digest.update(f"kehoach {tool_version()}\0".encode())
    # The catalog as the rules see it: its template identity and every row, whatever folder it came from.
    digest.update(repr(catalog).encode("utf-8"))
    digest.update(b"\0")
    for path, base in code_files():
        _add(digest, path, base)
    return digest.hexdigest()


def code_files() -> list[tuple[Path, Path]]:
    """(file, folder its name is taken from) of every source file that judges or extracts."""
    files = []
    for root in (Path(kehoach.validators.__file__).parent, Path(kehoach.workbook_templates.__file__).parent):
        files += [(path, root.parent) for path in _files(root)]
    source = Path(extract.__file__)
    return [*files, (source, source.parent.parent)]


def _files(root: Path) -> list[Path]:
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and not SKIPPED_DIRS.intersection(p.relative_to(root).parts) and p.suffix != ".pyc"
    )


def _add(digest: hashlib._Hash, path: Path, base: Path) -> None:
    data = path.read_bytes()
    digest.update(f"{path.relative_to(base).as_posix()}\0{len(data)}\0".encode())
    digest.update(data)
