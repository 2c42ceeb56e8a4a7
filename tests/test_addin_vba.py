"""The macro-enabled template as staff receive it: the VBA project (read back with oletools, as a security
officer would), the buttons bound to its Subs, the hidden xlwings settings, the installer, and the import
boundaries of the add-in."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import sys
import tomllib
import warnings
import zipfile
from pathlib import Path

import olefile
import openpyxl
import pytest
from click.testing import CliRunner
from defusedxml import ElementTree
from kehoach.cli import bundle_cmd
from kehoach.cli.main import kehoach
from kehoach.workbook_templates import layout as L
from kehoach.workbook_templates.builder import build_workbook
from kehoach.workbook_templates.catalog import load_catalog
from kehoach.workbook_templates.vba_project import (
    BUNDLE_INSTALLER,
    BUTTONS,
    INSTALL_COMMAND,
    INTERPRETER_WIN,
    MODULE,
    VBA_DIR,
    WHEEL,
    xlwings_version,
)

ROOT = Path(__file__).resolve().parents[1]
ENTRY_POINTS = {"KiemTraDuLieu": "validate", "XoaDanhDau": "clear"}  # Sub -> xl_addin function it runs


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    catalog = load_catalog()
    return build_workbook(catalog, catalog.unit("CTK"), tmp_path_factory.mktemp("vba") / "CTK.xlsm")


def _modules(path: Path) -> dict[str, str]:
    with warnings.catch_warnings():  # oletools still uses pyparsing's old names
        warnings.simplefilter("ignore", DeprecationWarning)
        from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        return {name.rsplit(".", 1)[0]: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def _public_subs(code: str) -> dict[str, str]:
    """Public Sub name -> its body."""
    found = re.finditer(r"^Public Sub (\w+)\(\)\s*$(.*?)^End Sub", code, re.M | re.S)
    return {match.group(1): match.group(2) for match in found}


def _buttons(path: Path) -> dict[str, list[tuple[str, str]]]:
    """Sheet name -> (caption, bound macro) of each form button, from the sheets' VML drawings."""
    ns = {
        "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
        "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
        "v": "urn:schemas-microsoft-com:vml",
        "x": "urn:schemas-microsoft-com:office:excel",
    }
    found: dict[str, list[tuple[str, str]]] = {}
    with zipfile.ZipFile(path) as package:
        workbook = ElementTree.fromstring(package.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
        targets = {r.get("Id"): r.get("Target") for r in rels.findall("rel:Relationship", ns)}
        for sheet in workbook.findall("m:sheets/m:sheet", ns):
            part = "xl/" + targets[sheet.get(f"{{{ns['r']}}}id")]
            rels_part = part.replace("worksheets/", "worksheets/_rels/") + ".rels"
            if rels_part not in package.namelist():
                continue
            sheet_rels = ElementTree.fromstring(package.read(rels_part))
            for rel in sheet_rels.findall("rel:Relationship", ns):
                if rel.get("Target").endswith(".vml"):
                    vml = ElementTree.fromstring(package.read("xl/" + rel.get("Target").replace("../", "")))
                    for shape in vml.findall("v:shape", ns):
                        caption = "".join(shape.find("v:textbox", ns).itertext()).strip()
                        macro = shape.find("x:ClientData/x:FmlaMacro", ns).text
                        found.setdefault(sheet.get("name"), []).append((caption, macro))
    return found


def test_olevba_shows_our_module_calling_runpython_with_the_fixed_entry_points(template: Path) -> None:
    olevba = shutil.which("olevba") or pytest.skip("olevba (oletools) is not installed")
    decoded = subprocess.run([olevba, "--decode", str(template)], capture_output=True, text=True, check=True).stdout
    assert f"VBA MACRO {MODULE}.bas" in decoded and "VBA MACRO xlwings.bas" in decoded
    for function in ENTRY_POINTS.values():
        assert f'"from kehoach import xl_addin; xl_addin.{function}()"' in decoded
    modules = _modules(template)
    assert _code(modules[MODULE]) == _code((VBA_DIR / f"{MODULE}.bas").read_text(encoding="ascii"))
    assert not re.search(r"Sub (Workbook_Open|Auto_Open)\b", "".join(modules.values())), "nothing runs on opening"


def _code(source: str) -> list[str]:
    """A module's lines without the attribute header the VBA editor hides."""
    return [line.rstrip() for line in source.splitlines() if line.strip() and not line.startswith("Attribute VB_")]


def test_buttons_are_bound_to_public_subs_that_run_the_add_in(template: Path) -> None:
    from kehoach import xl_addin

    modules = _modules(template)
    buttons = _buttons(template)
    expected = [(b.caption, f"[0]!{b.macro}") for b in BUTTONS]
    assert buttons == {L.UNIT_INFO: expected, L.INDICATORS: expected}
    for _caption, macro in expected:
        module, sub = macro.removeprefix("[0]!").split(".")
        body = _public_subs(modules[module])[sub]
        command = re.search(r"RunPython (\w+)", body).group(1)
        entry = re.search(
            rf'Private Const {command} As String = "from kehoach import xl_addin; xl_addin\.(\w+)\(\)"', modules[module]
        )
        assert entry.group(1) == ENTRY_POINTS[sub] and callable(getattr(xl_addin, entry.group(1)))
    assert "Public Function RunPython(" in modules["xlwings"]


def test_the_vba_project_is_source_only_so_office_compiles_it(template: Path) -> None:
    with zipfile.ZipFile(template) as package:
        project = olefile.OleFileIO(package.read("xl/vbaProject.bin"))
    stream = project.openstream("VBA/_VBA_PROJECT").read()
    assert stream == b"\xcc\x61\xff\xff\x00\x01\x00"  # MS-OVBA 2.3.4.1: version 0xFFFF, no performance cache


def _settings(template: Path) -> dict[str, str]:
    """The hidden xlwings.conf sheet as the xlwings module reads it: keys upper-cased from A1 down to the first
    empty key, an empty value read as ""."""
    book = openpyxl.load_workbook(template)
    sheet = book[L.XLWINGS_CONF]
    assert sheet.sheet_state == "hidden"
    settings = {}
    for key, value in sheet.iter_rows(values_only=True, max_col=2):
        if key is None:
            break
        settings[str(key).upper()] = "" if value is None else str(value)
    return settings


def test_the_hidden_settings_keep_the_workbook_folder_off_the_python_path(template: Path) -> None:
    settings = _settings(template)
    assert settings["ADD_WORKBOOK_TO_PYTHONPATH"] == "false"
    assert settings["PYTHONPATH"] == ""
    assert settings["INTERPRETER_WIN"] == settings["INTERPRETER"] == INTERPRETER_WIN
    assert INTERPRETER_WIN.startswith("%LOCALAPPDATA%\\")
    assert "Python" in settings["KEHOACH_NO_PYTHON"]


def test_every_setting_the_xlwings_module_reads_is_pinned_on_the_sheet(template: Path) -> None:
    """A key missing from the sheet would be taken from an xlwings.conf beside the workbook or in the user's
    profile (GetConfig: sheet, then directory, then user, then default)."""
    source = (VBA_DIR / "xlwings.bas").read_text(encoding="ascii")
    read = set(re.findall(r'GetConfig\("([^"]+)"', source))
    assert {"PYTHONPATH", "USE UDF SERVER", "SHOW CONSOLE", "CONDA PATH", "CONDA ENV", "UDF MODULES"} <= read
    settings = _settings(template)
    assert read <= set(settings), f"not pinned: {sorted(read - set(settings))}"
    safe = {
        "USE UDF SERVER": "False", "DEBUG UDFS": "False", "SHOW CONSOLE": "False", "UDF MODULES": "",
        "CONDA PATH": "", "CONDA ENV": "", "LICENSE_KEY": "", "TEMP DIR": "%TEMP%", "SHOW_ERROR_POPUPS": "True",
    }  # fmt: skip
    assert {key: settings[key] for key in safe} == safe
    assert list(settings)[-2:] == ["KEHOACH_TITLE", "KEHOACH_NO_PYTHON"]


def test_the_missing_python_notice_quotes_the_guides_commands(template: Path) -> None:
    """The notice KeHoach.bas shows names the installer and the command the guide gives, in the guide's words."""
    notice = _settings(template)["KEHOACH_NO_PYTHON"]
    guide = (ROOT / "docs" / "huong-dan-su-dung.md").read_text(encoding="utf-8")
    assert INSTALL_COMMAND in notice and BUNDLE_INSTALLER in notice
    commands = {line.strip() for block in re.findall(r"```\n(.*?)```", guide, re.S) for line in block.splitlines()}
    assert INSTALL_COMMAND in commands
    assert f"py -m pip install --user {WHEEL}" in commands
    assert BUNDLE_INSTALLER in guide and bundle_cmd.INSTALLER == BUNDLE_INSTALLER
    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert f"kehoach-{version}-py3-none-any.whl" == WHEEL
    for section in re.findall(r"mục (\d[a-z]?)", notice):
        assert re.search(rf"^##+ {section}\. ", guide, re.M), f"the guide has no section {section}"


def test_the_guides_pictures_exist() -> None:
    guide = (ROOT / "docs" / "huong-dan-su-dung.md").read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]*\]\((img/[^)]+)\)", guide)
    assert {"img/cai-dat-xong.png", "img/cai-dat-thu-muc.png"} <= set(pictures)
    assert all((ROOT / "docs" / picture).is_file() for picture in pictures)


def _dir_records(template: Path) -> list[int]:
    """The record ids of the VBA project's dir stream, in order (MS-OVBA 2.3.4.2), up to the first module."""
    from pyopenvba.vba import decompress

    with zipfile.ZipFile(template) as package:
        project = olefile.OleFileIO(package.read("xl/vbaProject.bin"))
    data = decompress(project.openstream("VBA/dir").read())
    ids, offset = [], 0
    while offset < len(data):
        record, size = struct.unpack_from("<HI", data, offset)
        ids.append(record)
        if record == 0x0009:  # PROJECTVERSION: its Size field is 4 but 6 bytes follow
            size = 6
        offset += 6 + size
        if record == 0x000F:  # PROJECTMODULES: the project information and references are behind
            break
    return ids


def test_the_vba_project_has_no_compat_version_record(template: Path) -> None:
    ids = _dir_records(template)
    assert ids[:2] == [0x0001, 0x0002]  # PROJECTSYSKIND, then PROJECTLCID directly
    assert 0x004A not in ids


def test_libreoffice_still_loads_the_macros(template: Path, tmp_path: Path) -> None:
    """Without the PROJECTCOMPATVERSION record the project still loads: LibreOffice imports every module, ours
    with its RunPython calls, into the document's Basic library."""
    from tests.support.libreoffice import convert, soffice

    if soffice() is None:
        pytest.skip("LibreOffice is not installed")
    (converted,) = convert([template], tmp_path, "ods")
    with zipfile.ZipFile(converted) as package:
        names = set(package.namelist())
        ours = package.read("Basic/VBAProject/KeHoach.xml").decode("utf-8")
    assert {f"Basic/VBAProject/{m}.xml" for m in (MODULE, "xlwings", "Dictionary")} <= names
    assert "Sub KiemTraDuLieu" in ours and "RunPython" in ours


def test_the_button_checks_the_interpreter_with_a_unicode_file_api() -> None:
    """A user folder with Vietnamese letters: the interpreter path (expanded by WScript, Unicode) is checked with
    Scripting.FileSystemObject (COM, Unicode), not with VBA's file functions."""
    code = (VBA_DIR / "KeHoach.bas").read_text(encoding="ascii")
    body = code[code.index("Private Function PythonInstalled") :]
    body = body[: body.index("End Function")]
    assert 'CreateObject("Scripting.FileSystemObject").FileExists(interpreter)' in body
    assert "GetAttr" not in body and "Dir(" not in body


def test_the_vendored_xlwings_module_is_the_one_the_python_side_pins() -> None:
    import xlwings

    installed = Path(xlwings.__file__).with_name("xlwings.bas").read_bytes()
    if xlwings.__version__ == xlwings_version():
        assert (VBA_DIR / "xlwings.bas").read_bytes() == installed
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["optional-dependencies"]
    assert f"xlwings=={xlwings_version()}" in extras["addin"]


def test_addin_install_explains_itself_off_windows() -> None:
    if sys.platform == "win32":
        pytest.skip("on Windows the command installs for real")
    result = CliRunner().invoke(kehoach, ["addin", "install", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["performed"] is False and data["interpreter"] == INTERPRETER_WIN
    commands = [" ".join(step["command"]) for step in data["steps"]]
    assert "-m venv --clear %LOCALAPPDATA%\\kehoach\\venv" in commands[0]
    assert f"xlwings=={xlwings_version()}" in commands[1] and "[addin]" in commands[1]
    text = CliRunner().invoke(kehoach, ["addin", "install"])
    assert "chỉ cài trên Windows" in text.stderr


_BLOCK = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in {blocked}:
            raise ImportError("blocked: " + name)
sys.meta_path.insert(0, Block())
"""


def _python(code: str, blocked: set[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _BLOCK.format(blocked=sorted(blocked)) + code],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )


def test_the_core_works_without_xlwings_and_click(tmp_path: Path) -> None:
    code = f"""
from pathlib import Path
from kehoach.workbook_templates.builder import build_workbook
from kehoach.workbook_templates.catalog import load_catalog
from kehoach.validators.engine import validate_path
catalog = load_catalog()
path = build_workbook(catalog, catalog.unit("H844"), Path({str(tmp_path)!r}) / "H844.xlsm")
print(len(validate_path(path).findings) > 0)
"""
    result = _python(code, {"xlwings", "click"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True"


def test_importing_the_add_in_is_light() -> None:
    code = """
import sys
from kehoach import xl_addin
heavy = sorted(m for m in ("xlwings", "pandas", "pandera", "numpy", "kehoach.validators.engine") if m in sys.modules)
print(",".join(heavy) or "light")
"""
    result = _python(code, set())
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "light"
    assert _python("from kehoach import xl_addin", {"xlwings"}).returncode == 0
