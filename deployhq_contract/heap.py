"""The garbage collector during a run: the heap that lives until the end is set aside instead of walked again.

A run holds a large heap from start to end: the imported libraries, schemathesis' schema and strategies, the
collected tests, Hypothesis' state. Every full collection walks all of it, and there are about ten in a run: after
the imports, during collection, during the run, two by pytest as it ends (to catch unraisable exceptions), and then
the interpreter's as it exits. In a 25-example run against a loopback server the collector took about 0.95 s
(timed with `gc.callbacks`) and the exit after the last line 0.6 s; frozen as below, 0.35 s and 0.25 s.

So the heap alive at a few points is frozen (`gc.freeze`): after the judge is configured, after collection, when
the last test is done and as pytest ends. Later collections look only at what is newer; what was frozen is still
freed when nothing refers to it, only garbage in reference cycles among it waits. That is why a second run in the
same process first unfreezes and collects: what the first run left behind does not pile up. A process that froze
objects of its own before the run is left alone (its freezing is its own affair).
"""

from __future__ import annotations

import gc

__all__ = ["release", "set_aside"]

_frozen_by_us = False


def set_aside() -> None:
    """Freeze everything the process holds now, unless something else in the process manages freezing."""
    global _frozen_by_us
    if not gc.isenabled() or (gc.get_freeze_count() and not _frozen_by_us):
        return
    gc.freeze()
    _frozen_by_us = True


def release() -> None:
    """Undo set_aside at the start of a run, and collect what an earlier run in this process left behind."""
    global _frozen_by_us
    if not _frozen_by_us:
        return
    gc.unfreeze()
    _frozen_by_us = False
    gc.collect()
