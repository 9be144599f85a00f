"""The judge's pytest plugin as the distribution registers it (`pytest11`): its options, nothing else until activated.

Every pytest in an environment with deployhq-users[contract] loads this module, so it only adds the options. The
judge itself (deployhq_contract.plugin: fixtures, rails, ledger, summary) is registered by `activate`: from the
conftest.py next to the built-in promises (`pytest contract_tests`, `deployhq-contract`), or when one of these
options is given on the command line (a team's own promises: `pytest --base-url URL their_promises/`).
"""

from __future__ import annotations

import argparse
import importlib
import os
from typing import Any

import pytest

__all__ = ["OPTIONS", "PLUGIN", "PROFILES", "activate", "active"]

PLUGIN = "deployhq_contract.plugin"
PROFILES = ("ci", "dev", "live", "quick")
# Naming one of these on the command line activates the judge (tests/contract_suite/test_plugin.py keeps the list
# equal to the options pytest_addoption adds).
OPTIONS = (
    "--base-url",
    "--live",
    "--contract-strict",
    "--email-domain",
    "--email-budget",
    "--create-budget",
    "--rate-limit",
    "--max-examples",
    "--dry-run",
    "--contract-scale",
    "--contract-profile",
    "--max-answer-bytes",
    "--request-timeout",
    "--list-promises",
    "--contract-serial",
)


def _at_least(minimum: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{value} is below {minimum}")
        return value

    return parse


def _positive_rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of requests per second") from None
    # At least one request in 100 seconds: slower is no rate a run could finish at (and 1/value must not overflow).
    if not 0.01 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"{text} is not a rate: give requests per second from 0.01 up, e.g. 0.5")
    return value


def _switch(group: Any, name: str, variable: str, text: str) -> None:
    """An on/off option, on also when the environment variable *variable* is 1."""
    group.addoption(name, action="store_true", default=os.environ.get(variable) == "1", help=text)


def pytest_addoption(parser: pytest.Parser) -> None:
    try:
        from .bounded import add_options as add_bound_options
        from .target import LIVE_CREATE_BUDGET, LIVE_RATE_LIMIT
    except ImportError:
        # Installed without the [contract] extra (no requests, ...): the judge cannot run, and pytest must not break.
        return
    group = parser.getgroup("contract", "DeployHQ Users API contract suite")
    add_bound_options(group)
    group.addoption(
        "--base-url",
        help="judge this server (default: DEPLOYHQ_BASE_URL, DEPLOYHQ_ACCOUNT, "
        "else an embedded reference server on a free loopback port)",
    )
    _switch(
        group,
        "--live",
        "DEPLOYHQ_CONTRACT_LIVE",
        "allow a non-loopback target and turn on the live safety rails (DEPLOYHQ_CONTRACT_LIVE=1)",
    )
    _switch(
        group,
        "--contract-strict",
        "DEPLOYHQ_CONTRACT_STRICT",
        "with --live, fail on invalid generated data the target accepts instead of reporting it as leniency",
    )
    group.addoption(
        "--email-domain",
        default=os.environ.get("DEPLOYHQ_CONTRACT_EMAIL_DOMAIN") or None,
        help="every address the suite invites is in this domain (default: example.com)",
    )
    # Named --create-budget first, but resends count too: what it caps is emails. The old name stays an alias.
    group.addoption(
        "--email-budget",
        "--create-budget",
        dest="create_budget",
        type=_at_least(0),
        default=None,
        help=f"at most this many requests that email a person (accepted invitations and resends); 0 sends none "
        f"(default: {LIVE_CREATE_BUDGET} with --live, unlimited otherwise); --create-budget is its former name",
    )
    group.addoption(
        "--rate-limit",
        type=_positive_rate,
        default=None,
        help=f"at most this many requests per second, above 0 (default: {LIVE_RATE_LIMIT:g} with --live)",
    )
    group.addoption(
        "--max-examples",
        type=_at_least(1),
        default=None,
        help="generated examples per operation, 1 or more, overriding the profile's (the coverage phase adds its own)",
    )
    group.addoption(
        "--dry-run",
        action="store_true",
        help="print the generated requests a run would send (credentials filtered) and send none",
    )
    group.addoption(
        "--list-promises",
        action="store_true",
        help="print every promise (operation, sentence, source, test) as a JSON array and send nothing",
    )
    _switch(
        group,
        "--contract-scale",
        "DEPLOYHQ_CONTRACT_SCALE",
        "with --live, run the scale phase too: grow the account past 1000 users, each invitation a real email "
        "within --email-budget (DEPLOYHQ_CONTRACT_SCALE=1; loopback runs always have it)",
    )
    _switch(
        group,
        "--contract-serial",
        "DEPLOYHQ_CONTRACT_SERIAL",
        "judge every promise in this process, one after the other (by default the explicit promises are judged "
        "in a second process beside the fuzzing on loopback targets; DEPLOYHQ_CONTRACT_SERIAL=1)",
    )
    group.addoption(
        "--contract-profile",
        choices=PROFILES,
        default=os.environ.get("DEPLOYHQ_CONTRACT_PROFILE") or None,
        help="hypothesis profile: ci, dev, live or quick "
        "(default: DEPLOYHQ_CONTRACT_PROFILE, else live with --live, else ci)",
    )


def _given(config: pytest.Config) -> bool:
    """Whether the command line names one of the judge's options (`--live`, `--base-url=URL`, ...)."""
    return any(str(arg).partition("=")[0] in OPTIONS for arg in config.invocation_params.args)


def active(config: pytest.Config) -> bool:
    """Whether the judge runs in this pytest session."""
    return config.pluginmanager.has_plugin(PLUGIN)


def activate(config: pytest.Config) -> None:
    """Register the judge with this pytest session (once); it then configures itself as any plugin does."""
    if not active(config):
        config.pluginmanager.register(importlib.import_module(PLUGIN), PLUGIN)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if _given(config):
        activate(config)
