"""The judge freezes the run's heap (heap.py); a second run in the process, or a process that freezes, loses nothing."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mutants.harness import environment

pytestmark = pytest.mark.slow

# A team's own promise that leaves garbage in a reference cycle, with a weak reference to tell when it is collected.
PROMISE = textwrap.dedent(
    """
    import sys
    import weakref


    class Cycle:
        pass


    def test_leaves_a_cycle_behind():
        cycle = Cycle()
        cycle.itself = cycle
        sys.cycles.append(weakref.ref(cycle))
    """
)

SCRIPT = textwrap.dedent(
    """
    import gc, os, sys
    import pytest

    sys.cycles = []
    promise, tmp, host_freezes = sys.argv[1], sys.argv[2], sys.argv[3] == "yes"

    def run(n):
        code = pytest.main([
            promise, "-q", "-p", "no:cacheprovider", "--contract-profile", "quick",
            "--junitxml", os.path.join(tmp, f"junit{n}.xml"),
        ])
        gc.collect()
        return int(code)

    if host_freezes:
        gc.freeze()
        before = gc.get_freeze_count()
        code = run(1)
        print("host:", code, gc.get_freeze_count() <= before, sys.cycles[0]() is None)
    else:
        first = run(1)
        kept = sys.cycles[0]() is not None
        second = run(2)
        print("runs:", first, second, kept, sys.cycles[0]() is None, gc.get_freeze_count() > 0)
    """
)


def _run(tmp_path: Path, host_freezes: bool) -> str:
    promise = tmp_path / "test_own_cycle.py"
    promise.write_text(PROMISE, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(promise), str(tmp_path), "yes" if host_freezes else "no"],
        cwd=tmp_path, env=environment(), capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    return result.stdout + result.stderr


def test_a_second_run_collects_what_the_first_left_frozen(tmp_path: Path) -> None:
    """After a run, its cyclic garbage is frozen (a full collection keeps it); the next run's start collects it."""
    output = _run(tmp_path, host_freezes=False)

    assert "runs: 0 0 True True True" in output, output[-3000:]


def test_a_process_that_freezes_its_own_objects_is_left_alone(tmp_path: Path) -> None:
    """A host that called gc.freeze() itself: the run freezes nothing more, and its garbage is collected as usual."""
    output = _run(tmp_path, host_freezes=True)

    assert "host: 0 True True" in output, output[-3000:]
