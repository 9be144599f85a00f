"""The judge freezes the run's long-lived heap (heap.py) and gives it back as pytest ends: nothing is lost to it.

Each test runs the judge with pytest.main in a process of its own (a freeze is process-wide), on a team's own promise
whose session fixture leaves an object in a reference cycle behind.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mutants.harness import environment

pytestmark = pytest.mark.slow

PROMISE = textwrap.dedent(
    """
    import sys
    import weakref

    import pytest


    class AuditLog:
        # A reference cycle (a callback bound to itself, say): only the garbage collector frees it.
        def __init__(self):
            self.itself = self

        def __del__(self):
            sys.finalized.append("audit log")


    @pytest.fixture(scope="session")
    def audit():
        log = AuditLog()
        sys.cycles.append(weakref.ref(log))
        yield log


    def test_uses_the_log(audit):
        assert audit is not None
    """
)

SCRIPT = textwrap.dedent(
    """
    import gc, os, sys
    import pytest

    sys.cycles, sys.finalized = [], []
    promise, tmp, host = sys.argv[1], sys.argv[2], sys.argv[3]

    def run(n):
        code = pytest.main([
            promise, "-q", "-p", "no:cacheprovider", "--contract-profile", "quick",
            "-W", "error::ResourceWarning", "--junitxml", os.path.join(tmp, f"junit{n}.xml"),
        ])
        return int(code)

    if host == "freezes":
        gc.freeze()
    before = gc.get_freeze_count()
    codes = [run(1), run(2)]
    after = gc.get_freeze_count()
    print("codes:", codes)
    print("finalized by the end of each run:", sys.finalized)
    print("freeze count as before:", after == before if host == "plain" else 0 < after <= before)
    """
)


def _run(tmp_path: Path, host: str) -> str:
    promise = tmp_path / "test_own_audit.py"
    promise.write_text(PROMISE, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(promise), str(tmp_path), host],
        cwd=tmp_path, env=environment(), capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    return result.stdout + result.stderr


@pytest.mark.parametrize("host", ["plain", "freezes"])
def test_a_runs_cyclic_garbage_is_collected_before_it_ends(tmp_path: Path, host: str) -> None:
    """The session fixture's object in a cycle is finalized within each run (pytest's last collection finds it), and
    the process holds no more frozen objects after the runs than before: none for a plain process, and a process
    that froze its own is left with only those."""
    output = _run(tmp_path, host)

    assert "codes: [0, 0]" in output, output[-3000:]
    assert "finalized by the end of each run: ['audit log', 'audit log']" in output, output[-3000:]
    assert "freeze count as before: True" in output, output[-3000:]


def test_an_unclosed_file_of_a_team_fixture_is_still_reported(tmp_path: Path) -> None:
    """pytest's last collection finds a file a session fixture left open in a cycle and reports it (the run's objects
    are never frozen: the judge freezes only what exists before the tests run)."""
    promise = tmp_path / "test_own_unclosed.py"
    promise.write_text(
        textwrap.dedent(
            f"""
            import pytest


            class AuditFile:
                def __init__(self):
                    self.file = open({str(tmp_path / "audit.log")!r}, "w", encoding="utf-8")
                    self.itself = self


            @pytest.fixture(scope="session")
            def audit():
                yield AuditFile()


            def test_writes(audit):
                audit.file.write("judged")
            """
        ),
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(promise), "-q", "-p", "no:cacheprovider", "--contract-profile", "quick",
         "-W", "error::ResourceWarning", "--junitxml", str(tmp_path / "junit.xml")],
        cwd=tmp_path, env=environment(), capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr

    assert "ResourceWarning: unclosed file" in output, output[-3000:]
