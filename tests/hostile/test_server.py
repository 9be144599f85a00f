"""The hostile server's own parts: what the attacks rely on."""

from __future__ import annotations

import gzip
import io
import struct

from .server import _bomb


def test_the_gzip_bomb_is_small_and_unpacks_to_a_gibibyte_of_zeros() -> None:
    """About 1 MB on the wire; a gzip reader gets zeros far past any answer limit, and its trailer says 1 GiB."""
    bomb = _bomb()
    with gzip.GzipFile(fileobj=io.BytesIO(bomb)) as unpacked:
        start = unpacked.read(64 << 20)

    assert (True, bytes(64 << 20), 1 << 30) == (len(bomb) < 2 << 20, start, struct.unpack("<I", bomb[-4:])[0])
