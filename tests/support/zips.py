"""Rewriting a workbook's zip package part by part, for tests that feed the reader forms other tools write."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path


def parts(path: Path) -> list[tuple[str, bytes]]:
    """Every part of the package, in its order: (name, uncompressed bytes)."""
    with zipfile.ZipFile(path) as package:
        return [(info.filename, package.read(info)) for info in package.infolist()]


def write(path: Path, parts: list[tuple[str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts:
            package.writestr(name, data)
    return path


def transform(source: Path, target: Path, change: Callable[[str, bytes], tuple[str, bytes]]) -> Path:
    """Write ``target`` with every part of ``source`` passed through ``change`` (which may rename it)."""
    return write(target, [change(name, data) for name, data in parts(source)])


def rewrite(source: Path, target: Path, part: str, change: Callable[[bytes], bytes]) -> Path:
    """Write ``target`` with the one part named ``part`` passed through ``change``, the rest as they are."""
    return transform(source, target, lambda name, data: (name, change(data) if name == part else data))
