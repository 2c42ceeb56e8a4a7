"""`kehoach sample`: realistic, clean, synthetic submissions for every unit."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from kehoach.cli import exit_codes
from kehoach.cli.lang import text
from kehoach.cli.output import FORMAT_OPTION, emit_json, fail, say


@click.command("sample")
@click.option(
    "--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Thư mục ghi các tệp mẫu."
)
@click.option("--seed", type=int, default=2020, show_default=True, help="Hạt giống: cùng hạt giống cho cùng số liệu.")
@click.option("--unit", "units", multiple=True, metavar="MÃ", help="Chỉ tạo tệp của đơn vị này (lặp lại được).")
@FORMAT_OPTION
def sample(out_dir: Path, seed: int, units: tuple[str, ...], output_format: str) -> None:
    """Tạo bộ số liệu mẫu (giả lập, không phải số liệu chính thức) đã điền đúng cho từng đơn vị.

    Mỗi đơn vị một tệp, đúng định dạng biểu mẫu chuẩn; số liệu các huyện cộng lại bằng số của tỉnh.
    Mã thoát: 0 thành công, 2 dùng lệnh sai.
    """
    from kehoach.samples.generate import generate_all, write_submission
    from kehoach.validators.winfiles import explain, long_path, plain
    from kehoach.workbook_templates.catalog import load_catalog

    catalog = load_catalog()
    unknown = [code for code in units if not catalog.has_unit(code)]
    if unknown:
        codes = ", ".join(unknown)
        fail(text(f"không có đơn vị mã {codes} trong danh mục.", f"no unit {codes} in the catalog."), exit_codes.USAGE)
    fillings = generate_all(catalog, seed, list(units) or None)
    folder = long_path(out_dir)  # over 260 characters: the extended form, which Windows takes either way
    written = []
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with click.progressbar(
            fillings.items(), label=text("Đang tạo số liệu mẫu", "Writing sample data"), file=sys.stderr
        ) as bar:
            for code, filling in bar:
                unit = catalog.unit(code)
                written.append((code, write_submission(catalog, unit, filling, folder / f"{unit.file_stem}.xlsx")))
    except OSError as error:
        fail(
            text(
                f"không ghi được vào thư mục {out_dir}: {explain(error, writing=True)}.",
                f"cannot write to folder {out_dir}: {error.strerror or error}.",
            ),
            exit_codes.USAGE,
        )
    if output_format == "json":
        emit_json({"samples": [{"unit": code, "path": plain(path)} for code, path in written]})
    else:
        say(
            text(
                f"Đã tạo {len(written)} tệp mẫu trong {out_dir} (số liệu giả lập, hạt giống {seed}).",
                f"Wrote {len(written)} sample files in {out_dir} (synthetic data, seed {seed}).",
            )
        )
