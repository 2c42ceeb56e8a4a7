"""The English of every command's help (``--lang en``), by command path; options by (command, option) or, for
an option every command shares, by the option alone. The Vietnamese is the commands' own docstrings."""

from __future__ import annotations

COMMANDS = {
    "kehoach": """Tools to build the 2021-2025 five-year socio-economic development plan of Trà Vinh province.

\b
Exit codes of every command:
  0  success (warnings alone still give 0)
  1  the data has errors
  2  bad usage, a file that cannot be read, an invalid catalog
  3  the master is open in Excel/LibreOffice, or another merge into it is running (merge)
""",
    "kehoach templates": "The units' standard templates.",
    "kehoach templates build": """Build the standard templates (one file per unit) from the indicator catalog.

File names: <unit code>_<name without accents>.xlsm (with the «Kiểm tra dữ liệu» button). Building again from
the same catalog gives identical files.
Exit codes: 0 success, 2 bad usage, a unit not in the catalog or an invalid catalog.
""",
    "kehoach addin": "The «Kiểm tra dữ liệu» button in the templates: the Python side on the officers' computers.",
    "kehoach addin bundle": """Package the installer of the «Kiểm tra dữ liệu» button for the officers' computers
(Windows 64-bit, no network, no administrator rights needed).

\b
Contains: python.org's embeddable Python, the win_amd64 packages the button needs and nothing else, and
cai-dat.cmd (copies to %LOCALAPPDATA%\\kehoach, checks itself, reports in Vietnamese). Runs on Linux or
Windows; needs the network to download the packages. Exit codes: 0 success, 2 unusable Python file, wrong
SHA-256 or a package that cannot be downloaded.
""",
    "kehoach addin install": """Install the Python side of the data-check button (Windows, no administrator
rights needed).

\b
Creates a private Python environment in %LOCALAPPDATA%\\kehoach\\venv (where the templates look for it) and
installs kehoach with the xlwings version of the templates' VBA module. On another operating system: only
explains the steps. Exit codes: 0 success, 2 cannot install (see the message).
""",
    "kehoach addin check": """Check the Python side of the «Kiểm tra dữ liệu» button in the environment running
this command.

\b
Loads xlwings (the version of the templates' VBA module) and every kehoach module the button may need,
checks the Python command the button runs, then validates an empty template with the button's own
validator (no Excel needed). `kehoach addin install` runs this after installing.
Exit codes: 0 the button works, 2 a part is missing or broken (see the message).
""",
    "kehoach validate": """Validate filled standard workbooks (.xlsx, .xlsm; .xls and .ods are read for their
values and refused with rule X002).

\b
Exit codes: 0 no errors (warnings allowed), 1 errors,
            2 a file that cannot be read, or bad usage.
Files are never modified; macros in them are never run.
""",
    "kehoach sample": """Generate sample data (simulated, not official figures), correctly filled, for each unit.

One file per unit, in the standard template's format; the districts' figures add up to the province's.
Exit codes: 0 success, 2 bad usage.
""",
    "kehoach merge": """Validate every file under INBOX (sub-folders included) and merge the .xlsx/.xlsm
workbooks into the master.

\b
Every file of INBOX gets one outcome: merged, rejected (with its findings: errors, unreadable, .xls/.ods)
or skipped (with the reason: not a workbook, another format, a lock file, the master's own files...).
Beside the master: <name>.csv (long format for statistics), <name>.bak.xlsx (the previous master),
<name>.ledger.sqlite (the ledger of files received). A rerun reads only new or changed files
(all of them when the catalog, template version, rules or tool version changed).
Exit codes: 0 master written; 2 bad usage or an unusable inbox;
            3 the master is open, or another merge into it is running.
""",
    "kehoach demo": """Show the whole process on simulated data.

\b
Builds the templates of every unit (<out>/bieu-mau), an inbox of files the units sent (<out>/hop-thu):
some with errors, one unit resubmitting a fix, one late unit, one corrupt file, one unit that never sent;
then validates and merges them into <out>/tong-hop.xlsx.
Exit codes: 0 success.
""",
    "kehoach scenarios": """Build the 2021-2025 growth scenarios (low, base, high) from the Statistics Office's
2020 GRDP.

\b
SOURCE is the Statistics Office's file (with its «GRDP» sheet) or a master written by `kehoach merge` (the
figures then come from the Statistics Office's merged file, through the ledger <name>.ledger.sqlite beside
it). The workbook written has a sheet «Phương án tăng trưởng»: every result is an Excel formula; change a
growth rate in a yellow cell and GRDP, growth, structure, contributions and GRDP per head follow.
--format json: the figures on stdout (docs/scenarios.md).
Exit codes: 0 success; 2 bad usage, an unreadable file, 2020 figures missing,
            a wrong assumptions file or a workbook that cannot be written.
""",
    "kehoach report": """Draft the report on the 2016-2020 five-year plan and the 2021-2025 five-year plan (Word).

\b
MASTER is the master written by `kehoach merge`. The draft follows Decree 30/2020/NĐ-CP: part I evaluates
2016-2020 (indicators exceeded, met and missed; causes; each task area's evaluation), part II the 2021-2025
plan (targets, growth scenarios, major balances, public investment, tasks and solutions), then the annex
tables. Whatever is missing is marked in yellow «[Cần bổ sung]».
--pdf: also write a PDF (LibreOffice).
Exit codes: 0 draft written; 2 bad usage, an unreadable master or template, a file that cannot be written,
            no conversion to PDF.
""",
    "kehoach consult": "Comments on the published draft: the comment form (form) and the gathering of the "
    "returned forms (merge).",
    "kehoach consult form": """Write the comment form: the sections of the draft report, cells for the comment and
the proposed wording, who comments.

\b
Exit codes: 0 written; 2 the file cannot be written.
""",
    "kehoach consult merge": """Gather every comment form (.xlsx/.xlsm) in INBOX (and its subfolders) by section of
the draft.

\b
The summary has every comment (who, which file; filterable), the number of comments per section, and the list
of files received (a broken file or one that is not a comment form is listed with the reason and skipped, as in
kehoach merge).
Exit codes: 0 summary written; 2 an unusable folder or a file that cannot be written.
""",
}

OPTIONS = {
    "--format": "text: a report for people; json: data for other programs (on stdout).",
    "--lang": "Language of the messages: vi (Vietnamese) or en (English).",
    "--version": "Show the version and exit.",
    "build --out": "Folder to write the templates to.",
    "build --unit": "Build only this unit's template (repeat for several units). Default: all.",
    "bundle --python-zip": "Windows embeddable Python (64-bit) from python.org, e.g. python-3.12.10-embed-amd64.zip.",
    "bundle --sha256": "That file's SHA-256 as python.org publishes it: any other stops the command.",
    "bundle --out": "The zip file to send to the officers.",
    "bundle --wheel": "The kehoach package (.whl) to include. Default: built from the source of the running kehoach.",
    "bundle --constraint": "Version constraints file for pip (-c). Default: the latest versions for the Python.",
    "bundle --cache-dir": "pip's cache folder.",
    "install --source": "The kehoach package to install: the .whl the Department sent, or a source folder. "
    "Default: the source folder of the kehoach running this command.",
    "install --dry-run": "Only list the steps, do nothing.",
    "validate --annotate": "Write to this folder a copy of each file with the cells that have findings coloured "
    "and a sheet «Kết quả kiểm tra».",
    "sample --out": "Folder to write the sample files to.",
    "sample --seed": "Seed: the same seed gives the same figures.",
    "sample --unit": "Only this unit's file (may be repeated).",
    "merge --output": "The master workbook to write, e.g. tong-hop.xlsx.",
    "merge --deadline": "Deadline (default from the template: 2020-07-10); files received after it are late.",
    "demo --out": "Folder for everything the demonstration writes.",
    "demo --seed": "Seed: the same seed gives the same figures.",
    "scenarios --output": "The scenarios workbook to write (default phuong-an-tang-truong.xlsx in the current "
    "folder; with --format json only when -o is given).",
    "scenarios --assumptions": "CSV file of the scenarios' growth assumptions (default: the illustrative ones "
    "shipped; columns and how to change them: docs/scenarios.md).",
    "scenarios --target": "Target of average GRDP growth per year (%): one level (9) or a range (9-10). "
    "Default: 9-10 as the Directive says.",
    "scenarios --icor": "ICOR of every scenario for the investment balance (default: each scenario's assumption).",
    "report --output": "The Word (.docx) draft to write.",
    "report --template": "The Department's Word template (.docx) with placeholders (default: the one shipped; "
    "how to change it: docs/report.md).",
    "report --pdf": "Also write a PDF beside the Word file (needs LibreOffice), for the portal.",
    "report --assumptions": "CSV file of the growth scenarios' assumptions (as kehoach scenarios).",
    "report --target": "Target of average GRDP growth per year (%), default 9-10.",
    "report --icor": "ICOR of every scenario (default: each scenario's assumption).",
    "consult form --out": "The comment form (.xlsx) to write.",
    "consult merge --output": "The summary of comments (.xlsx) to write.",
}
