"""Property-based fuzzing of the value parser and the workbook reader (hypothesis). Bounded in CI; set
KEHOACH_FUZZ_EXAMPLES for a longer run, e.g. KEHOACH_FUZZ_EXAMPLES=5000 python -m pytest tests/test_fuzz.py."""

from __future__ import annotations

import io
import math
import os
import zipfile
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kehoach.samples.generate import generate_all
from kehoach.validators.engine import validate_path
from kehoach.validators.numbers import format_number, parse_vi_number
from kehoach.workbook_templates.builder import build_workbook
from kehoach.workbook_templates.catalog import load_catalog

EXAMPLES = int(os.environ.get("KEHOACH_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@cache
def _good_workbook() -> bytes:
    catalog = load_catalog()
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"kehoach-fuzz-{os.getpid()}.xlsx"
    build_workbook(catalog, catalog.unit("SNV"), path, generate_all(catalog, 1, ["SNV"])["SNV"])
    data = path.read_bytes()
    path.unlink()
    return data


@FUZZ
@given(st.text(max_size=40))
def test_parser_never_raises_and_returns_finite_numbers(text: str) -> None:
    parsed = parse_vi_number(text)
    assert parsed is None or math.isfinite(parsed.value)


@FUZZ
@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_numbers_written_the_vietnamese_way_read_back(value: float) -> None:
    parsed = parse_vi_number(format_number(value))
    assert parsed is not None
    assert math.isclose(parsed.value, value, rel_tol=1e-4, abs_tol=1e-4)


def _check(data: bytes, tmp: Path) -> None:
    path = tmp / "fuzz.xlsx"
    path.write_bytes(data)
    report = validate_path(path)
    if not report.readable:
        assert [f.rule for f in report.findings] == ["X001"]
        assert report.findings[0].message().startswith("Không đọc được tệp")


@FUZZ
@given(st.data())
def test_reader_survives_corrupted_bytes(tmp_path_factory: object, data: st.DataObject) -> None:
    raw = bytearray(_good_workbook())
    for _ in range(data.draw(st.integers(1, 8))):
        at = data.draw(st.integers(0, len(raw) - 1))
        raw[at] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(len(raw) // 2, len(raw)))
    _check(bytes(raw[:cut]), tmp_path_factory.mktemp("bytes"))  # type: ignore[attr-defined]


@FUZZ
@given(st.data())
def test_reader_survives_mangled_xml(tmp_path_factory: object, data: st.DataObject) -> None:
    """Valid zip, damaged XML inside: the parts that calamine and defusedxml parse."""
    source = zipfile.ZipFile(io.BytesIO(_good_workbook()))
    target = data.draw(st.sampled_from([n for n in source.namelist() if n.endswith(".xml")]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for name in source.namelist():
            content = source.read(name)
            if name == target:
                at = data.draw(st.integers(0, len(content)))
                junk = data.draw(
                    st.binary(max_size=40)
                    | st.sampled_from(
                        [b'<c r="ZZZ99999999"><v>1</v></c>', b"</row>", b"<v>1e999</v>", b"&amp;&#0;", b"\xff\xfe"]
                    )
                )
                content = content[:at] + junk + content[at + data.draw(st.integers(0, 50)) :]
            out.writestr(name, content)
    _check(buffer.getvalue(), tmp_path_factory.mktemp("xml"))  # type: ignore[attr-defined]
