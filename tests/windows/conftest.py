"""The Windows harness for tests/windows: the official Windows CPython under Wine (scripts/windows/build-harness.sh,
docs/windows.md), running this checkout's source as kehoach.*.

The session fixture ``windows`` builds the harness, or finds it cached (a few seconds), and skips with the reason
when Wine cannot be installed or run here. With CI=true a missing harness fails instead: CI must not pass by
skipping. Windows programs run with output and errors on pipes (Wine gives a file redirection no valid handle)
and with the locale of Vietnamese Windows, whose ANSI code page (cp1258) Python uses for piped output.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "scripts" / "windows" / "build-harness.sh"
LOCALE = "vi_VN.UTF-8"  # Wine then gives Windows programs Vietnamese Windows' code pages (ANSI cp1258)
TIMEOUT = 600  # seconds for one command; a merge that hangs fails the test instead of the run


def winpath(path: Path | str) -> str:
    """A Linux path as the Windows Python sees it (Wine's Z: drive is /)."""
    return "Z:" + str(Path(path).resolve()).replace("/", "\\")


@dataclass
class Run:
    args: tuple[str, ...]
    code: int | None  # None: killed at the timeout
    stdout: bytes
    stderr: bytes

    def out(self) -> str:
        """Standard output as UTF-8 (what a fixed kehoach writes whatever the console's code page)."""
        return self.stdout.decode("utf-8-sig")

    def describe(self) -> str:
        tail = self.stderr.decode("utf-8", "replace")[-1500:]
        return f"{' '.join(self.args)} -> exit {self.code}\n{tail}"


@dataclass
class WindowsPython:
    wine: str
    python: Path
    env: dict[str, str]

    def run(self, *args: str, timeout: float = TIMEOUT) -> Run:
        """python.exe ARGS under Wine, niced, with stdin, stdout and stderr on pipes."""
        code, stdout, stderr = self.wine_run([str(self.python), *args], self.env, timeout=timeout)
        return Run(args, code, stdout, stderr)

    def wine_run(
        self, argv: list[str], env: dict[str, str], timeout: float = TIMEOUT, stderr: int = subprocess.PIPE
    ) -> tuple[int | None, bytes, bytes]:
        """A Windows program under Wine, niced, on pipes (stderr into stdout with ``subprocess.STDOUT``):
        exit code (None when killed at ``timeout``), stdout and stderr."""
        with subprocess.Popen(
            ["nice", "-n", "10", self.wine, *argv],
            stdin=subprocess.PIPE,  # an empty input: a `pause` or a prompt goes on at once
            stdout=subprocess.PIPE,
            stderr=stderr,
            env=env,
            start_new_session=True,  # the Windows processes it starts (spawned workers) go with it on a timeout
        ) as process:
            try:
                out, err = process.communicate(b"", timeout=timeout)
                code: int | None = process.returncode
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                out, err = process.communicate()
                code = None
        return code, out, err or b""

    def kehoach(self, *args: str, timeout: float = TIMEOUT) -> Run:
        """The `kehoach` command, as its console script runs it."""
        return self.run("-m", "kehoach.cli.main", *args, timeout=timeout)


def _harness_env(directory: Path) -> dict[str, str]:
    """The variables env.sh sets (Wine prefix, the interpreter, the bytecode cache, and LOCPATH when the harness
    compiled vi_VN.UTF-8 itself), over a clean environment."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "LC_", "LANG", "WINE", "LOCPATH"))}
    for name, value in re.findall(r"""(\w+)=["']([^"']*)["']""", (directory / "env.sh").read_text()):
        env[name] = value
    env.update(LANG=LOCALE, LC_ALL=LOCALE, KEHOACH_SOURCE=str(REPO))
    return env


def has_locale(env: dict[str, str]) -> bool:
    """vi_VN.UTF-8 is there for Wine: compiled by the harness (LOCPATH) or installed. Without it Wine cannot
    name a non-ASCII file."""
    if (Path(env.get("LOCPATH", "/nonexistent")) / LOCALE).is_dir():
        return True
    listed = subprocess.run(["locale", "-a"], capture_output=True, text=True, check=False).stdout.split()
    return any(name.lower().replace("-", "") == LOCALE.lower().replace("-", "") for name in listed)


@pytest.fixture(scope="session")
def windows() -> WindowsPython:
    ci = os.environ.get("CI") == "true"
    if sys.platform != "linux":
        pytest.skip("the Windows harness runs under Wine on Linux")
    directory = Path(os.environ.get("KEHOACH_WINE_DIR", "/tmp/kehoach-wine"))
    try:
        build = subprocess.run(
            ["nice", "bash", str(BUILD)], capture_output=True, text=True, timeout=1800, stdin=subprocess.DEVNULL
        )
        code, log = build.returncode, build.stderr
    except subprocess.TimeoutExpired as error:
        code, log = None, str(error)
    if code != 0:
        kind = "Wine cannot be installed or run here" if code == 3 else "the harness build failed"
        reason = f"no Windows harness: {kind} (scripts/windows/build-harness.sh exit {code}): {log[-800:]}"
        if ci:
            pytest.fail(reason)
        pytest.skip(reason)
    env = _harness_env(directory)
    return WindowsPython(env["KEHOACH_WINE"], Path(env["KEHOACH_WINE_PYTHON"]), env)
