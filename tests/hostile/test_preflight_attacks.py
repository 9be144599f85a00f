"""Preflight against a hostile target: exit 4 in one line, in bounded time and memory, nothing sent elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from .judge import CANARY_KEY, canary_env, judge, key_pieces, suite
from .server import Hostility, hostile

pytestmark = pytest.mark.slow
PEAK_MB = 400  # the judge idles at about 80 MB; 2 GB of answer must not show


@pytest.mark.parametrize(
    ("attack", "options", "cause", "seconds"),
    [
        pytest.param("redirect", [], "answered 307, a redirect to ", 30, id="redirect"),
        pytest.param("huge", [], "larger than 10485760 bytes", 30, id="2 GB answer"),
        pytest.param("endless", [], "larger than 10485760 bytes", 30, id="endless chunked answer"),
        pytest.param("bomb", [], "larger than 10485760 bytes", 30, id="gzip bomb"),
        pytest.param("huge", ["--max-answer-bytes", "64KiB"], "larger than 65536 bytes", 30, id="--max-answer-bytes"),
        pytest.param("drip", ["--request-timeout", "3"], "no whole answer within 3 s", 30, id="dripped headers"),
        pytest.param("nested", [], "not JSON", 30, id="200,000 nested ["),
    ],
)
def test_hostile_target_is_refused_by_preflight(
    tmp_path: Path,
    elsewhere: tuple[str, Hostility],
    attack: str,
    options: list[str],
    cause: str,
    seconds: float,
) -> None:
    """Exit 4 with one line naming the cause; within the time and memory bounds; no request reaches another host."""
    other_url, other = elsewhere
    hostility = Hostility(attack, redirect_to=f"{other_url}/users")
    with hostile(hostility) as base_url:
        judged = judge(*suite("--base-url", base_url, *options), env=canary_env(tmp_path), tmp_path=tmp_path)
    lines = [line for line in judged.stderr.splitlines() if line.strip()]

    assert (4, 1) == (judged.code, len(lines)), f"{judged}\n{judged.output[-3000:]}"
    assert cause in lines[0]
    assert "could not judge the target" in lines[0]
    if attack == "redirect":
        assert f"{other_url}/users" in lines[0]
    assert judged.seconds < seconds, str(judged)
    assert judged.peak_mb < PEAK_MB, str(judged)
    assert (1, 0) == (hostility.requests, other.requests)
    assert [] == [piece for piece in key_pieces(CANARY_KEY) if piece in judged.output]


def test_dripped_preflight_gives_up_after_fifteen_seconds_in_all(tmp_path: Path) -> None:
    """One byte a second restarts no clock: preflight waits 15 s in all, then exits 4 (the default bound is 30 s)."""
    with hostile(Hostility("drip")) as base_url:
        judged = judge(*suite("--base-url", base_url), env=canary_env(tmp_path), tmp_path=tmp_path)

    assert 4 == judged.code, judged.output[-3000:]
    assert "no whole answer within 15 s" in judged.stderr
    assert 14 < judged.seconds < 40, str(judged)


def test_redirect_location_echoing_the_key_is_shown_without_it(tmp_path: Path) -> None:
    """A Location holding the key (or a cut-off piece of it) is named with every piece of the key cut out."""
    hostility = Hostility("redirect", redirect_to=f"http://127.0.0.1:9/{CANARY_KEY[:22]}?k={CANARY_KEY}")
    with hostile(hostility) as base_url:
        judged = judge(*suite("--base-url", base_url), env=canary_env(tmp_path), tmp_path=tmp_path)

    assert 4 == judged.code
    assert "a redirect to http://127.0.0.1:9/[Filtered]?k=[Filtered]" in judged.stderr
    assert [] == [piece for piece in key_pieces(CANARY_KEY) if piece in judged.output]
