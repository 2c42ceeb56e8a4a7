"""`kehoach validate` and `kehoach sample` as a user runs them: exit codes, text, JSON, annotated copies."""

from __future__ import annotations

import hashlib
import json
import random
import shutil
import tracemalloc
from pathlib import Path

import click
import openpyxl
import pytest
from click.testing import CliRunner
from kehoach.cli.main import kehoach
from kehoach.samples.generate import generate_all
from kehoach.samples.inject import Injector
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.catalog import load_catalog
from kehoach.workbook_templates.styles import ERROR_FILL, WARNING_FILL


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("submissions")
    result = CliRunner().invoke(
        kehoach, ["sample", "--out", str(out), "--unit", "SKHDT", "--unit", "H844", "--seed", "4", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    paths = {item["unit"]: Path(item["path"]) for item in json.loads(result.stdout)["samples"]}
    catalog = load_catalog()
    filling = generate_all(catalog, 4, ["SKHDT"])["SKHDT"]
    injector = Injector(catalog, catalog.unit("SKHDT"), filling, random.Random(1))
    paths["injected"] = [injector.inject(code) for code in ("T001", "O001")]  # type: ignore[assignment]
    paths["errors"] = injector.write(out / "SKHDT_loi.xlsx")
    broken = out / "hong.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    paths["broken"] = broken
    return paths


def test_clean_files_exit_0(files: dict) -> None:
    result = CliRunner().invoke(kehoach, ["validate", str(files["SKHDT"]), str(files["H844"])])
    assert result.exit_code == 0
    assert "0 lỗi, 0 cảnh báo" in result.stdout
    # The summary line closes the report, on the same stream as the files' blocks.
    assert result.stdout.rstrip().splitlines()[-1].startswith("Tổng cộng: 2 tệp, 0 lỗi, 0 cảnh báo")
    assert "Tổng cộng" not in result.stderr


def test_errors_exit_1_with_cells_and_vietnamese_messages(files: dict) -> None:
    result = CliRunner().invoke(kehoach, ["validate", str(files["errors"])])
    assert result.exit_code == 1
    for injection in files["injected"]:
        assert f"{injection.cell}  " in result.stdout and injection.rule in result.stdout
    assert "Trang «Chỉ tiêu»" in result.stdout


def test_unreadable_file_exit_2_without_traceback(files: dict) -> None:
    result = CliRunner().invoke(kehoach, ["validate", str(files["broken"]), str(files["SKHDT"])])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "Không đọc được tệp: tệp bị hỏng" in result.stdout


def test_missing_file_is_unreadable_not_a_crash(tmp_path: Path) -> None:
    result = CliRunner().invoke(kehoach, ["validate", str(tmp_path / "khong-co.xlsx")])
    assert result.exit_code == 2
    assert "không mở được tệp" in result.stdout


def test_json_output(files: dict) -> None:
    result = CliRunner().invoke(kehoach, ["validate", "--format", "json", "--lang", "en", str(files["errors"])])
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    (entry,) = data["files"]
    assert (entry["unit"], entry["template_version"]) == ("SKHDT", load_catalog().template.version)
    found = {(f["rule"], f["sheet"], f["cell"]) for f in entry["findings"]}
    assert {(i.rule, i.sheet, i.cell) for i in files["injected"]} <= found
    assert all({"rule", "severity", "sheet", "cell", "indicator", "message"} <= set(f) for f in entry["findings"])
    assert "The cell holds the text" in json.dumps(entry, ensure_ascii=False)


def test_annotate_marks_a_copy_and_leaves_the_input(files: dict, tmp_path: Path) -> None:
    path = files["errors"]
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    result = CliRunner().invoke(kehoach, ["validate", "--annotate", str(tmp_path), str(path)])
    assert result.exit_code == 1
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    book = openpyxl.load_workbook(tmp_path / path.name)
    for injection in files["injected"]:
        cell = book[injection.sheet][injection.cell]
        assert cell.fill.fgColor.rgb.endswith((ERROR_FILL.lstrip("#"), WARNING_FILL.lstrip("#")))
        assert injection.rule in cell.comment.text
    report = book[L.REPORT]
    links = [
        c.hyperlink.location if c.hyperlink.location else c.hyperlink.target
        for row in report.iter_rows()
        for c in row
        if c.hyperlink
    ]
    assert any(injection.cell in link for injection in files["injected"] for link in links)


def test_every_command_has_help() -> None:
    for command in (["--help"], ["templates", "build", "--help"], ["validate", "--help"], ["sample", "--help"]):
        result = CliRunner().invoke(kehoach, command)
        assert result.exit_code == 0
        assert "Mã thoát" in result.output


def test_help_lists_every_exit_code() -> None:
    """README's table: 0, 1, 2 and 3 (the master open or another merge running)."""
    result = CliRunner().invoke(kehoach, ["--help"])
    codes = [line.split()[0] for line in result.output.split("Mã thoát", 1)[1].splitlines()[1:] if line.strip()]
    assert codes[:4] == ["0", "1", "2", "3"]
    assert "đang mở" in result.output


def test_each_file_is_printed_as_it_is_validated(files: dict, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file's block is written before the next file is read, not all at the end."""
    from kehoach.validators import engine

    paths = [files["SKHDT"], files["H844"], files["errors"]]
    printed: list[str] = []
    read = engine.read_path

    def reading(path: Path) -> object:
        printed.append(path.name)
        return read(path)

    monkeypatch.setattr(engine, "read_path", reading)
    seen: list[str] = []
    echo = click.echo

    def spying(message: object = None, *args: object, **kwargs: object) -> None:
        if isinstance(message, str) and "(đơn vị" in message:
            seen.append(f"{message.split(' ')[0]} after {len(printed)} read")
        echo(message, *args, **kwargs)

    monkeypatch.setattr(click, "echo", spying)
    result = CliRunner().invoke(kehoach, ["validate", *map(str, paths)])
    assert result.exit_code == 1
    assert seen == [f"{path.name} after {n} read" for n, path in enumerate(paths, start=1)]


@pytest.mark.parametrize("output_format", ["text", "json"])
def test_memory_does_not_grow_with_the_number_of_files(files: dict, tmp_path: Path, output_format: str) -> None:
    """Validating 4N files needs about the memory of N: results are written as they come and each workbook is let
    go (before, every report, with its submission and workbook, was kept until the end)."""
    source = files["SKHDT"]
    copies = []
    for n in range(12):
        copies.append(tmp_path / f"{n:02d}_{source.name}")
        shutil.copyfile(source, copies[-1])

    def peak(paths: list[Path]) -> int:
        tracemalloc.start()
        try:
            result = CliRunner().invoke(kehoach, ["validate", "--format", output_format, *map(str, paths)])
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            assert result.exit_code == 0, result.output

    peak(copies[:1])  # imports, caches and the catalog, once
    few, many = peak(copies[:3]), peak(copies)
    one = peak(copies[:1])
    # 9 more files: before, about 9 workbooks more (several times the peak of one); now a few lines of output.
    assert many - few < 0.25 * one, (one, few, many)
