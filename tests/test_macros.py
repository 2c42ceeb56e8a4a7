"""Macros are compared by their modules' source, never run: a project whose bytes differ from the template's
(as every project Excel saves does) but whose modules are the template's is not foreign."""

from __future__ import annotations

from kehoach.samples.inject import resaved_project
from kehoach.validators.macros import _olevba, foreign_modules
from kehoach.workbook_templates.vba_project import vba_project


def test_a_resaved_project_with_the_templates_modules_is_not_foreign() -> None:
    first, second = resaved_project(2), resaved_project(3)
    assert len({first, second, vba_project()}) == 3
    assert foreign_modules(first) == [] and foreign_modules(second) == []


def test_module_decompression_is_memoized_by_the_compressed_bytes() -> None:
    decompress = _olevba().decompress_stream
    container = bytearray(b'\x01\x19\xb0\x00Attribute VB_Name = "X"')
    assert decompress(container) is decompress(bytearray(container))
