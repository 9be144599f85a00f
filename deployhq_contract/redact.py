"""Cut every piece of a key out of what the judge shows: the console, pytest's reports (and so JUnit), refusals.

A hostile target can echo the key back (in a body, a header, a reason phrase, `WWW-Authenticate`), and a
library's failure text, a truncated repr or a wrapped line can show part of it. So not just the key is cut out,
but any `PIECE` characters in a row of it, of `email:key`, and of the base64 of `email:key` (a Basic auth
header), in any letter case: the client's rule (`deployhq_users._pieces`), shared. Pieces inside the address alone
are not secret and stay.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from deployhq_users._pieces import PIECE, cut, pattern, pieces

__all__ = ["CONSOLE", "FILTERED", "PIECE", "Redactor", "RedactingStream", "scrub_report", "write_report"]

FILTERED = "[Filtered]"


class Redactor:
    """Replaces every run of text made of `PIECE`-character pieces of the secrets with FILTERED."""

    def __init__(self, secrets: Iterable[str] = (), public: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self._public: set[str] = set()
        self._pattern: re.Pattern[str] | None = None
        self.add(secrets, public)

    def add(self, secrets: Iterable[str], public: Iterable[str] = ()) -> None:
        """Also cut out *secrets*; *public* text (an address) is never cut, pieces of it being no secret."""
        secrets, public = {s for s in secrets if s}, {p for p in public if p}
        if secrets <= self._secrets and public <= self._public:
            return  # the pattern already cuts them: it is rebuilt only for news (it is asked after every test)
        self._secrets.update(secrets)
        self._public.update(public)
        shown = "\n".join(self._public).lower()
        # `email:key` is cut from the key on: pieces reaching back into the address would cut the address too.
        found = pieces(_after_address(s, self._public) for s in self._secrets)
        self._pattern = pattern(p for p in found if p.lower() not in shown)

    def __bool__(self) -> bool:
        return self._pattern is not None

    def __call__(self, text: str) -> str:
        return cut(text, self._pattern, FILTERED)


def _after_address(secret: str, public: set[str]) -> str:
    for address in public:
        if secret.startswith(f"{address}:"):
            return secret[len(address) + 1 :]
    return secret


class RedactingStream:
    """A text stream that writes through a Redactor: whole lines at once, the rest when flushed.

    Holding back a line's start until its end keeps a key written in two parts from escaping as two short ones.
    """

    def __init__(self, inner: TextIO, redactor: Redactor) -> None:
        self.inner = inner
        self.redactor = redactor
        self._pending = ""
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            head, newline, self._pending = self._pending.rpartition("\n")
            if newline:
                self.inner.write(self.redactor(head + newline))
        return len(text)

    def writelines(self, lines: Iterable[str]) -> None:
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                self.inner.write(self.redactor(self._pending))
                self._pending = ""
        self.inner.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class _Console:
    """sys.stdout and sys.stderr of the whole run, filtered (pytest's terminal writer keeps the stdout it finds)."""

    def __init__(self) -> None:
        self.redactor = Redactor()
        self._saved: tuple[TextIO, TextIO] | None = None

    def install(self) -> None:
        if self._saved is not None:
            return
        self._saved = (sys.stdout, sys.stderr)
        sys.stdout = RedactingStream(sys.stdout, self.redactor)
        sys.stderr = RedactingStream(sys.stderr, self.redactor)

    def uninstall(self) -> None:
        if self._saved is None:
            return
        for stream in (sys.stdout, sys.stderr):
            if isinstance(stream, RedactingStream):
                stream.flush()
        sys.stdout, sys.stderr = self._saved
        self._saved = None


CONSOLE = _Console()


def scrub_report(report: Any, redactor: Redactor) -> None:
    """A pytest report with every piece of a key cut out of its long representation and captured sections."""
    if not redactor:
        return
    if report.longrepr is not None:
        text = report.longreprtext
        cleaned = redactor(text)
        if cleaned != text:
            if isinstance(report.longrepr, tuple):  # a skip: (path, line, reason)
                path, line, reason = report.longrepr
                report.longrepr = (path, line, redactor(str(reason)))
            else:
                report.longrepr = cleaned
    report.sections = [(title, redactor(content)) for title, content in report.sections]


def protect(target: Any) -> Redactor:
    """Cut out every key of *target*'s callers (a `Target`) from the console from now on; the redactor doing it."""
    callers = [c for c in (target.admin, target.manager, target.member) if c is not None]
    CONSOLE.redactor.add(target.secrets, public=[c.email for c in callers])
    return CONSOLE.redactor


def _default_mode() -> int:
    """What `open()` would give a new file under this process' umask (read once: setting it is the only way)."""
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask


_DEFAULT_MODE = _default_mode()


def write_report(path: Path, text: str, redactor: Redactor) -> None:
    """Every report file the judge writes: redacted, and replacing the old file whole.

    The text goes to a temporary file beside *path* first and is renamed over it: a run killed mid-write, or a
    reader during one, sees the previous report or the new one, never half of one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(redactor(text))
        # mkstemp makes the file 0600; a report is read by CI's artifact steps and viewers as any file would be.
        os.chmod(temporary, _DEFAULT_MODE)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
