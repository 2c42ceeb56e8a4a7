"""Where the traceback of a rule that failed goes: a log file in the user's own state folder.

``KEHOACH_LOG_DIR`` if set; otherwise ``%LOCALAPPDATA%\\kehoach\\logs`` on Windows and ``$XDG_STATE_HOME/kehoach``
(``~/.local/state/kehoach``) elsewhere. When that folder cannot be written, the system's temporary folder is
tried, and at last the traceback goes to stderr. Recording never raises: it runs while a report is made."""

from __future__ import annotations

import logging
import os
import sys
import tempfile
import traceback
from pathlib import Path

ENV_LOG_DIR = "KEHOACH_LOG_DIR"
LOG_NAME = "kehoach.log"
STDERR = "stderr"

logger = logging.getLogger("kehoach.crashes")
logger.propagate = False  # the file gets the traceback; a console configured by a command does not
_handler: logging.FileHandler | None = None
_seen: set[tuple] = set()  # failures whose full traceback this process already wrote


def log_dir() -> Path:
    """The folder of the log file for this user."""
    configured = os.environ.get(ENV_LOG_DIR)
    if configured:
        return Path(configured).expanduser()
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "kehoach" / "logs"
    state = os.environ.get("XDG_STATE_HOME", "")
    base_dir = Path(state) if os.path.isabs(state) else Path.home() / ".local" / "state"  # the spec: absolute only
    return base_dir / "kehoach"


def _open(folder: Path) -> str | None:
    """Point the crash logger at ``folder``'s log file; its path, or None when it cannot be written."""
    global _handler
    path = os.path.abspath(folder / LOG_NAME)
    if _handler is not None and _handler.baseFilename == path:
        return path
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(path, encoding="utf-8")
    except (OSError, ValueError):  # ValueError: a path the system refuses (a NUL in the variable)
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s pid %(process)d %(levelname)s %(message)s"))
    if _handler is not None:
        logger.removeHandler(_handler)
        _handler.close()
    logger.addHandler(handler)
    _handler = handler
    return path


def record(label: str, code: str, error: BaseException, detail: str = "") -> str:
    """Write what rule ``code`` raised on file ``label``; where it was written (a path, or ``stderr``).

    A failure already written by this process (same rule, exception type and place) gets one line, not its
    traceback again: a broken rule fails on every file of a merge."""
    path = _open(log_dir()) or _open(Path(tempfile.gettempdir()) / "kehoach")
    frames = traceback.extract_tb(error.__traceback__)
    place = (frames[-1].filename, frames[-1].lineno) if frames else ("", 0)
    key = (path, code, type(error).__name__, place)
    message = f"rule {code} failed on {label!r}: {type(error).__name__}: {error}{f' ({detail})' if detail else ''}"
    if path is None:
        logging.getLogger(__name__).error(message, exc_info=(type(error), error, error.__traceback__))
        return STDERR
    if key in _seen:
        logger.error("%s (traceback written above)", message)
    else:
        _seen.add(key)
        logger.error(message, exc_info=(type(error), error, error.__traceback__))
    return path
