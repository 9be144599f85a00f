"""bench/breakdown.py: one run's time and requests booked per phase, and the profile's time booked per library."""

from __future__ import annotations

from bench.breakdown import EXPLICIT, PHASES, WAITING, WAITING_THREADS, Run, bucket_of, phase_table


def test_each_test_file_is_booked_to_its_phase_and_the_cleanup_apart() -> None:
    """Tests add up per phase; the session's cleanup, timed inside the last test's teardown, is its own row."""
    tests = [
        {"file": "test_invite.py", "seconds": 0.5, "requests": 10, "last": False},
        {"file": "test_conformance.py", "seconds": 6.0, "requests": 300, "last": False},
        {"file": "test_stateful.py", "seconds": 3.0, "requests": 120, "last": True},
    ]
    marks = {"started": 100.0, "first_test": 102.0, "last_test_end": 112.0, "cleanup_seconds": 2.0,
             "cleanup_requests": 100}  # fmt: skip
    run = Run(seconds=13.0, requests=432, server_cpu=1.0, phases={"tests": tests, "marks": marks})

    phases, files = phase_table(run)
    rows = {row[0]: (row[2], row[4]) for row in phases}

    assert ("0.50", "10") == rows[EXPLICIT]
    assert ("6.00", "300") == rows[PHASES["test_conformance.py"]]
    assert ("1.00", "20") == rows[PHASES["test_stateful.py"]]
    assert ("2.00", "100") == rows["cleanup of the users the run created"]
    assert ("2.00", "2") == rows["start: imports, preflight, schema, collection"]
    assert ("1.00", "0") == rows["verdict, reports and exit"]
    assert ("13.00", "432") == rows["whole run"]
    assert ["test_conformance.py", "test_stateful.py", "test_invite.py"] == [row[0] for row in files]


def test_time_is_booked_by_where_the_function_lives() -> None:
    """Blocking socket calls are waiting for the server, lock waits for other threads; library code to its library."""
    assert WAITING == bucket_of("~", "<method 'recv_into' of '_socket.socket' objects>")
    assert WAITING_THREADS == bucket_of("~", "<method 'acquire' of '_thread.lock' objects>")
    assert "built-ins (len, isinstance, ...)" == bucket_of("~", "<built-in method builtins.isinstance>")
    assert "Hypothesis generation" == bucket_of("/v/site-packages/hypothesis/core.py", "run")
    assert "schema validation" == bucket_of("/v/site-packages/schemathesis/specs/openapi/checks.py", "f")
    assert "the judge (deployhq_contract, promises, client)" == bucket_of("/r/deployhq_contract/guard.py", "send")
