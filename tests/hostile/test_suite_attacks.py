"""The suite against a target that turns hostile after preflight: judged failures, in bounded time and memory."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from .judge import ADMIN, CANARY_KEY, canary_env, judge, key_pieces, suite
from .server import Hostility, hostile

pytestmark = pytest.mark.slow
PEAK_MB = 400
# A few explicit promises (through the suite's requests session) and the generated client's round trip (httpx).
SOME = ["-k", "test_unknown_identifier_is_a_404 or test_duplicate_invitation_raises_validation_error"]


def written(tmp_path: Path, stdout: str, stderr: str) -> dict[str, str]:
    """Everything a run wrote: its output and every file under *tmp_path* (JUnit, summary, ledger)."""
    files = {p.name: p.read_text(errors="replace") for p in tmp_path.rglob("*") if p.is_file()}
    return {"stdout": stdout, "stderr": stderr, **files}


def leaked(texts: dict[str, str]) -> list[tuple[str, str]]:
    """(where, piece) for each 8 characters in a row of the key (also upper-cased: the echo server sends it so),
    `email:key` or its base64 found anywhere."""
    pair = f"{ADMIN}:{CANARY_KEY}"
    secrets = [CANARY_KEY, CANARY_KEY.upper(), base64.b64encode(pair.encode()).decode()]
    pieces = {piece for secret in secrets for piece in key_pieces(secret)}
    return sorted((name, piece) for name, text in texts.items() for piece in pieces if piece in text)


@pytest.mark.parametrize(
    ("attack", "options"),
    [
        pytest.param("redirect", [], id="redirect"),
        pytest.param("huge", [], id="2 GB answer"),
        pytest.param("endless", [], id="endless chunked answer"),
        pytest.param("bomb", [], id="gzip bomb"),
        pytest.param("drip", ["--request-timeout", "2"], id="dripped headers"),
        pytest.param("nested", [], id="200,000 nested ["),
    ],
)
def test_hostile_answers_are_judged_failures(
    tmp_path: Path, elsewhere: tuple[str, Hostility], attack: str, options: list[str]
) -> None:
    """Exit 1 (broken promises), never an INTERNALERROR; bounded memory; no request reaches another host."""
    other_url, other = elsewhere
    hostility = Hostility(attack, after=1, redirect_to=f"{other_url}/users")
    with hostile(hostility) as base_url:
        judged = judge(
            *suite("--base-url", base_url, f"--junitxml={tmp_path / 'junit.xml'}", *SOME, *options),
            env=canary_env(tmp_path),
            tmp_path=tmp_path,
        )

    assert 1 == judged.code, f"{judged}\n{judged.output[-3000:]}"
    assert "INTERNALERROR" not in judged.output
    assert judged.peak_mb < PEAK_MB, str(judged)
    assert judged.seconds < 120, str(judged)
    assert hostility.requests > 1
    assert 0 == other.requests


def test_echoed_key_is_in_nothing_a_run_writes(tmp_path: Path) -> None:
    """A target echoing the key in bodies, headers, reason phrases and WWW-Authenticate: no piece of it is shown."""
    hostility = Hostility("echo", after=1)
    step_summary = tmp_path / "step-summary.md"
    with hostile(hostility) as base_url:
        judged = judge(
            *suite("--base-url", base_url, f"--junitxml={tmp_path / 'junit.xml'}", "-l", "--tb=long", "-vv", "-rA",
                   "-k", "test_read or test_client_roundtrip or test_auth or test_conformance"),
            env=canary_env(tmp_path, GITHUB_STEP_SUMMARY=str(step_summary)),
            tmp_path=tmp_path,
        )  # fmt: skip
    texts = written(tmp_path, judged.stdout, judged.stderr)

    assert 1 == judged.code, judged.output[-3000:]
    assert CANARY_KEY in hostility.keys_seen  # the target did get (and echo) the key
    assert "[Filtered]" in judged.stdout
    assert {"junit.xml", "step-summary.md"} <= set(texts)
    assert [] == leaked(texts)


def test_ctrl_c_stops_a_run_stuck_on_a_dripping_target(tmp_path: Path) -> None:
    """Ctrl-C during a request that trickles in ends the run within seconds (pytest's exit 2), memory bounded."""
    hostility = Hostility("drip", after=1)
    with hostile(hostility) as base_url:
        judged = judge(
            *suite("--base-url", base_url, "-k", "test_read", "--request-timeout", "600"),
            env=canary_env(tmp_path),
            tmp_path=tmp_path,
            interrupt_when=lambda: hostility.requests > 1,  # past preflight, inside the first dripped answer
            kill_seconds=60,
        )

    assert 2 == judged.code, f"{judged}\n{judged.output[-3000:]}"
    assert judged.seconds < 10, str(judged)
    assert judged.peak_mb < PEAK_MB
