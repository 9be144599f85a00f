"""The garbage collector during a run: the heap that lives from start to end is set aside instead of walked again.

A run holds a large heap from start to end: the imported libraries, schemathesis' schema and strategies, the
collected tests. Every full collection walks all of it, about ten in a 25-example run: during the imports and the
collection, during the run, two by pytest as it ends and one by the interpreter as it exits. Frozen (`gc.freeze`)
once the judge is configured and again after collection, that heap is skipped by every later collection. Nothing the
tests make is ever frozen (answers, examples, a team's session fixtures): pytest's last collections still run the
finalizers of what they left in reference cycles, and report what they left unclosed. Once pytest's cleanups are
done the heap is unfrozen, so that whatever the process does after the run finds it as it was. Only at the
interpreter's exit is it frozen again, for good, so that the exit does not walk it (Python does not promise to
finalize what is still alive then anyway).

In a 25-example run against a loopback server (`gc.callbacks`, a few runs): the collector took 0.92-1.09 s, now
0.43-0.51 s; pytest's last two collections 0.2-0.3 s, now 0.03 s; the exit after the last line about 0.5 s, now 0.1 s.
A process that froze objects of its own before the run is left alone: the run freezes and unfreezes nothing.
"""

from __future__ import annotations

import atexit
import gc

__all__ = ["release", "set_aside"]

_frozen_by_us = False


def set_aside() -> None:
    """Freeze everything the process holds now, unless the process manages freezing itself (or collecting at all)."""
    global _frozen_by_us
    if not gc.isenabled() or (gc.get_freeze_count() and not _frozen_by_us):
        return
    gc.freeze()
    _frozen_by_us = True


def release() -> None:
    """Undo set_aside: the process is as it was before the run."""
    global _frozen_by_us
    if not _frozen_by_us:
        return
    gc.unfreeze()
    _frozen_by_us = False


def _freeze_for_exit() -> None:
    if gc.isenabled() and not gc.get_freeze_count():
        gc.freeze()


# Registered when the judge is first imported, so it runs after the handlers of whatever is imported later (atexit
# runs the last registered first): by then the run is over and nothing but the exit follows.
atexit.register(_freeze_for_exit)
