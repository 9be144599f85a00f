"""A default --live run against the reference server: the emails and requests it sends next to its plan, its time.

The plan (deployhq_contract.live_plan) is what `--live --dry-run` promises; a ratio above 1 is a run that sent more.
The run is paced at 200 requests a second instead of the default 2, so the row stays small: at the default pace its
wall time is about half a second per request.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from deployhq_contract.live_plan import LIVE_PLAN
from deployhq_sandbox import Accounts, create_app, serve
from mutants.harness import CountRequests, environment, run_suite

from ._harness import NotMeasured, Row, Settings, measuring
from ._process import READY_SECONDS, wait_until_answering

RUN_TIMEOUT = 600.0
# Every live rail at its default but the pace.
PACE = "200"


def rows(settings: Settings) -> list[Row]:
    note = "one default --live run (administrator credentials only) against a fresh reference server"
    emails = Row("live", "emails a --live run sends", "emails", baseline_name="the live plan", goal=1.0, note=note)
    requests = Row(
        "live", "requests a --live run sends", "requests", baseline_name="the live plan", goal=1.0, note=note
    )
    seconds = Row(
        "live", f"--live run at {PACE} requests/s", "s", note=note + "; at the default 2/s: ~requests/2 s more"
    )
    with measuring(emails, requests, seconds):
        with tempfile.TemporaryDirectory(prefix="bench-live-") as tmp:
            accounts = Accounts.from_env({}, with_role_users=False)
            app = CountRequests(create_app(Path(tmp) / "users.sqlite3", accounts=accounts))
            try:
                # CountRequests is an ASGI app typed with plain dicts.
                with serve(app, timeout=READY_SECONDS) as base_url:  # type: ignore[arg-type]
                    wait_until_answering(base_url)
                    before = app.count
                    env = environment(accounts, DEPLOYHQ_CONTRACT_LEDGER=str(Path(tmp) / "ledger.txt"))
                    finished = run_suite(
                        "--base-url", base_url, "--live", "-q", "--rate-limit", PACE,
                        "--junitxml", str(Path(tmp) / "junit.xml"), env=env, timeout=RUN_TIMEOUT,
                    )  # fmt: skip
                    seen = app.count - before
            except subprocess.TimeoutExpired:
                raise NotMeasured(f"the --live run did not finish within {RUN_TIMEOUT:g} s") from None
            except RuntimeError as error:
                raise NotMeasured(f"the reference server did not start: {error}") from error
        found = re.search(r"emails sent: (\d+)", finished.stdout)
        if finished.code != 0 or found is None:
            raise NotMeasured(f"the --live run exited {finished.code}: {finished.stdout.strip()[-300:]}")
        emails.candidate, emails.baseline = [float(found.group(1))], [float(LIVE_PLAN.emails)]
        requests.candidate, requests.baseline = [float(seen)], [float(LIVE_PLAN.requests)]
        seconds.candidate = [finished.seconds]
    return [emails, requests, seconds]


__all__ = ["rows"]
