"""The key filter: any 8 characters in a row of a key (raw, `email:key`, base64) are cut; the address stays."""

from __future__ import annotations

import base64
import io

import pytest

from deployhq_contract.redact import FILTERED, RedactingStream, Redactor
from deployhq_contract.target import Credentials

from .judge import ADMIN, CANARY_KEY

CREDENTIALS = Credentials(ADMIN, CANARY_KEY)
REDACT = Redactor(CREDENTIALS.secrets, public=[ADMIN])
BASIC = base64.b64encode(f"{ADMIN}:{CANARY_KEY}".encode()).decode()


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (f"key={CANARY_KEY}!", f"key={FILTERED}!"),
        (f"cut: {CANARY_KEY[:22]}...", f"cut: {FILTERED}..."),
        (f"tail {CANARY_KEY[-9:]}", f"tail {FILTERED}"),
        (f"Authorization: Basic {BASIC}", f"Authorization: Basic {FILTERED}"),
        (f"Basic {BASIC[10:30]}", f"Basic {FILTERED}"),
        (f"{ADMIN}:{CANARY_KEY}", f"{ADMIN}:{FILTERED}"),
        (f"signed in as {ADMIN} (401)", f"signed in as {ADMIN} (401)"),
        (f"short {CANARY_KEY[3:10]} stays", f"short {CANARY_KEY[3:10]} stays"),
        (f"upper-cased {CANARY_KEY.upper()}", f"upper-cased {FILTERED}"),
        (f"Bad key {CANARY_KEY[5:20].upper()}!", f"Bad key {FILTERED}!"),
    ],
)
def test_every_piece_of_the_key_is_cut_and_nothing_else(text: str, shown: str) -> None:
    """Eight characters or more of the key in any form become [Filtered]; the address and shorter runs stay."""
    assert shown == REDACT(text)


def test_a_key_written_in_two_parts_is_cut_whole() -> None:
    """The console stream holds a line back until it ends, so a key split over two writes is still caught."""
    console = io.StringIO()
    stream = RedactingStream(console, REDACT)
    stream.write(f"answer: {CANARY_KEY[:6]}")
    stream.write(f"{CANARY_KEY[6:12]} done\nnext")
    stream.flush()

    assert f"answer: {FILTERED} done\nnext" == console.getvalue()


def test_keys_added_again_keep_the_filter_and_new_ones_join_it() -> None:
    """Asking again to cut known keys (after every test) costs nothing and cuts the same; a new key is cut too."""
    redact = Redactor(CREDENTIALS.secrets, public=[ADMIN])
    before = redact._pattern

    redact.add(CREDENTIALS.secrets, public=[ADMIN])
    unchanged = redact._pattern is before
    redact.add(["another-key-0123456789"])

    assert (True, f"{FILTERED} {FILTERED} {ADMIN}") == (
        unchanged,
        redact(f"{CANARY_KEY} another-key-0123456789 {ADMIN}"),
    )
