"""The language of every command: Vietnamese unless ``--lang en`` (anywhere on the command line) or the
environment's KEHOACH_LANG=en says English. Click's own texts ("Usage:", "Show this message and exit.", "Missing
option", "No such option", "Error:"...) follow it: click looks each up through gettext, and its modules' lookup
functions are replaced here by ones that answer from :data:`CLICK_VI`. Commands' help texts are written in
Vietnamese; :data:`HELP_EN` gives each its English, put in place when the language is English.

The language is chosen before click parses anything (:func:`choose`), so that a usage error is already in it.
A command's own messages are written in both languages at the CLI edge, :func:`text` picking one; exceptions of
the core keep a Vietnamese message and carry its English as ``message_en`` (the core never imports the CLI),
which :func:`message` picks. Data (unit, indicator, sheet and file names, the documents written) stays Vietnamese."""

from __future__ import annotations

import os
from collections.abc import Sequence

import click

LANGUAGES = ("vi", "en")
ENV = "KEHOACH_LANG"
_current = ["vi"]

# Click 8's message ids (gettext's msgids), in Vietnamese. Plural messages are keyed by their singular id.
CLICK_VI = {
    "Usage:": "Cách dùng:",
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Positional arguments": "Tham số",
    "Show this message and exit.": "Hiện hướng dẫn này rồi thoát.",
    "Show the version and exit.": "Hiện phiên bản rồi thoát.",
    "Error: {message}": "Lỗi: {message}",
    "Try '{command} {option}' for help.": "Gõ '{command} {option}' để xem hướng dẫn.",
    "Missing argument": "Thiếu tham số",
    "Missing option": "Thiếu tùy chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "Missing {param_type}": "Thiếu {param_type}",
    "Missing command.": "Thiếu lệnh.",
    "argument": "tham số",
    "option": "tùy chọn",
    "parameter": "tham số",
    "No such command {name!r}.": "Không có lệnh {name!r}.",
    "No such option {name!r}.": "Không có tùy chọn {name!r}.",
    "No such option: {name}": "Không có tùy chọn: {name}",
    "Did you mean {possibility}?": "Có phải ý bạn là {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Có phải ý bạn là một trong: {possibilities}?)",
    "Option {name!r} requires an argument.": "Tùy chọn {name!r} cần một giá trị.",
    "Option {name!r} does not take a value.": "Tùy chọn {name!r} không nhận giá trị.",
    "Got unexpected extra argument ({args})": "Thừa tham số ({args})",
    "Invalid value for {param_hint}: {message}": "Giá trị không hợp lệ cho {param_hint}: {message}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "{value!r} is not {choice}.": "{value!r} không phải {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} không phải một trong {choices}.",
    "{value!r} does not match the format {format}.": "{value!r} không đúng dạng {format}.",
    "{value!r} is not a valid {number_type}.": "{value!r} không phải {number_type} hợp lệ.",
    "{value} is not in the range {range}.": "{value} không nằm trong khoảng {range}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} không tồn tại.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} là thư mục.",
    "{name} {filename!r} is a file.": "{name} {filename!r} là tệp.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} không đọc được.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} không ghi được.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} không chạy được.",
    "Could not open file {filename!r}: {message}": "Không mở được tệp {filename!r}: {message}",
    "File": "Tệp",
    "Directory": "Thư mục",
    "Path": "Đường dẫn",
    "file": "tệp",
    "directory": "thư mục",
    "path": "đường dẫn",
    "integer": "số nguyên",
    "float": "số thực",
    "default: {default}": "mặc định: {default}",
    "required": "bắt buộc",
    "env var: {var}": "biến môi trường: {var}",
    "Aborted!": "Đã dừng!",
    "Choose from:\n\t{choices}": "Chọn một trong:\n\t{choices}",
    "Takes {nargs} values but 1 was given.": "Cần {nargs} giá trị nhưng chỉ có 1.",
    "{len_type} values are required, but {len_value} was given.": "Cần {len_type} giá trị, nhưng có {len_value}.",
    "Argument {name!r} takes {nargs} values.": "Tham số {name!r} nhận {nargs} giá trị.",
    "Value must be an iterable.": "Giá trị phải là một dãy.",
    "unknown error": "lỗi không rõ",
    "Do you want to continue?": "Bạn có muốn tiếp tục?",
    "Error: invalid input": "Lỗi: giá trị không hợp lệ",
    "Press any key to continue...": "Nhấn phím bất kỳ để tiếp tục...",
}
_PLURALS = {  # plural msgids (CLICK_VI holds some too)
    "Option {name!r} requires {nargs} arguments.": "Tùy chọn {name!r} cần {nargs} giá trị.",
    "Got unexpected extra arguments ({args})": "Thừa tham số ({args})",
    "{value!r} does not match the formats {formats}.": "{value!r} không đúng dạng nào trong {formats}.",
    "Takes {nargs} values but {len} were given.": "Cần {nargs} giá trị nhưng có {len}.",
    "{len_type} values are required, but {len_value} were given.": "Cần {len_type} giá trị, nhưng có {len_value}.",
}
# Click's usage line: the metavars it writes itself.
METAVARS = {"vi": ("[TÙY CHỌN]", "LỆNH [THAM SỐ]..."), "en": ("[OPTIONS]", "COMMAND [ARGS]...")}
TYPE_METAVARS = {  # click's metavar of an option's type (its name in capitals), in Vietnamese
    "DIRECTORY": "THƯ_MỤC",
    "FILE": "TỆP",
    "PATH": "ĐƯỜNG_DẪN",
    "INTEGER": "SỐ_NGUYÊN",
    "FLOAT": "SỐ",
    "TEXT": "CHỮ",
    "DATETIME": "NGÀY",
}
_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui", "utils")


def current() -> str:
    return _current[0]


def text(vi: str, en: str) -> str:
    """The one of a command's two texts in the chosen language."""
    return en if _current[0] == "en" else vi


def message(error: BaseException) -> str:
    """An exception's message in the chosen language: the core's exceptions keep their Vietnamese ``message``
    (or ``str()``) and may carry an English ``message_en``."""
    vi = getattr(error, "message", None) or str(error)
    en = getattr(error, "message_en", None)
    return en if _current[0] == "en" and en else vi


def gettext(message: str) -> str:
    return CLICK_VI.get(message, message) if _current[0] == "vi" else message


def ngettext(singular: str, plural: str, n: int) -> str:
    if _current[0] != "vi":
        return singular if n == 1 else plural
    if n == 1:
        return CLICK_VI.get(singular, singular)
    return _PLURALS.get(plural) or CLICK_VI.get(plural, plural)


def install() -> None:
    """Let click's modules look their texts up here (once; harmless again)."""
    import importlib

    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext  # type: ignore[attr-defined]
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext  # type: ignore[attr-defined]


def from_args(args: Sequence[str], environ: dict[str, str] | None = None) -> str:
    """The language the command line asks for: the last ``--lang X``/``--lang=X``, else KEHOACH_LANG, else vi.
    Only what comes before a lone ``--`` is looked at (after it, everything is a file name)."""
    environ = os.environ if environ is None else environ
    chosen = environ.get(ENV, "vi").strip().lower()
    args = list(args)
    if "--" in args:
        args = args[: args.index("--")]
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            chosen = args[i + 1].strip().lower()
        elif arg.startswith("--lang="):
            chosen = arg.partition("=")[2].strip().lower()
    return chosen if chosen in LANGUAGES else "vi"


def choose(lang: str, root: click.Command | None = None) -> None:
    """Speak ``lang`` from now on: click's texts, and the help of ``root`` and its sub-commands."""
    install()
    _current[0] = lang
    if root is not None:
        _localize(root, lang)


def _localize(command: click.Command, lang: str, path: str = "kehoach") -> None:
    from kehoach.cli.help_en import COMMANDS, OPTIONS

    vi = command.__dict__.setdefault("_kehoach_help_vi", command.help)
    command.help = COMMANDS.get(path, vi) if lang == "en" else vi
    command.options_metavar = METAVARS[lang][0]
    command._help_option = None  # click caches the help option, its text in the language of its first use
    if isinstance(command, click.Group):
        command.subcommand_metavar = METAVARS[lang][1]
    for param in command.params:
        if isinstance(param, click.Option):
            vi_option = param.__dict__.setdefault("_kehoach_help_vi", param.help)
            name = max(param.opts, key=len)
            # by the command's path first ("consult merge --output"), then its name, then the option alone
            keys = (f"{path.removeprefix('kehoach ')} {name}", f"{command.name} {name}", name)
            english = next((OPTIONS[k] for k in keys if k in OPTIONS), None)
            if name == "--version":
                vi_option = CLICK_VI["Show the version and exit."]
            param.help = english if lang == "en" and english else vi_option
            metavar = param.__dict__.setdefault("_kehoach_metavar", param.metavar)
            if metavar is None and not param.is_flag and not isinstance(param.type, click.Choice):
                typed = param.type.name.upper()
                param.metavar = TYPE_METAVARS.get(typed, typed) if lang == "vi" else None
    if isinstance(command, click.Group):
        for name, sub in command.commands.items():
            _localize(sub, lang, f"{path} {name}")


LANG_HELP = "Ngôn ngữ của thông báo: vi (tiếng Việt) hoặc en (tiếng Anh)."


def lang_option(command: click.Command) -> None:
    """Give ``command`` a ``--lang`` option if it has none (the language itself was chosen before parsing)."""
    if any(isinstance(p, click.Option) and "--lang" in p.opts for p in command.params):
        return
    command.params.append(
        click.Option(
            ["--lang"],
            type=click.Choice(list(LANGUAGES)),
            default="vi",
            show_default=True,
            expose_value=False,
            help=LANG_HELP,
        )
    )
