"""`kehoach templates build`: write the standard workbook of each unit."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from kehoach.cli import exit_codes
from kehoach.cli.lang import message, text
from kehoach.cli.output import FORMAT_OPTION, emit_json, fail, say


@click.group()
def templates() -> None:
    """Biểu mẫu chuẩn của các đơn vị."""


@templates.command("build")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Thư mục ghi các biểu mẫu.",
)
@click.option(
    "--unit",
    "units",
    multiple=True,
    metavar="MÃ",
    help="Chỉ tạo biểu mẫu của đơn vị này (lặp lại để chọn nhiều đơn vị). Mặc định: tất cả.",
)
@FORMAT_OPTION
def build(out_dir: Path, units: tuple[str, ...], output_format: str) -> None:
    """Tạo biểu mẫu chuẩn (một tệp cho mỗi đơn vị) từ danh mục chỉ tiêu.

    Tên tệp: <mã đơn vị>_<tên không dấu>.xlsm (có nút «Kiểm tra dữ liệu»). Tạo lại với cùng danh mục
    cho kết quả giống hệt.
    Mã thoát: 0 thành công, 2 dùng lệnh sai, đơn vị không có trong danh mục hoặc danh mục không hợp lệ.
    """
    from kehoach.validators.winfiles import explain, long_path, plain
    from kehoach.workbook_templates.builder import build_all
    from kehoach.workbook_templates.catalog import CatalogError, load_catalog

    try:
        catalog = load_catalog()
    except CatalogError as error:
        fail(message(error), exit_codes.USAGE)
    unknown = [code for code in units if not catalog.has_unit(code)]
    if unknown:
        names = ", ".join(unknown)
        fail(text(f"không có đơn vị mã {names} trong danh mục.", f"no unit {names} in the catalog."), exit_codes.USAGE)
    codes = list(units) or [u.code for u in catalog.units]
    try:
        with click.progressbar(
            length=len(codes), label=text("Đang tạo biểu mẫu", "Building templates"), file=sys.stderr
        ) as bar:
            built = build_all(long_path(out_dir), codes, catalog, progress=lambda _unit: bar.update(1))
    except OSError as error:
        fail(
            text(
                f"không ghi được vào thư mục {out_dir}: {explain(error, writing=True)}.",
                f"cannot write to folder {out_dir}: {error.strerror or error}.",
            ),
            exit_codes.USAGE,
        )
    if output_format == "json":
        emit_json({"templates": [{"unit": b.unit.code, "path": plain(b.path)} for b in built]})
    else:
        say(text(f"Đã tạo {len(built)} biểu mẫu trong {out_dir}.", f"Built {len(built)} templates in {out_dir}."))
