"""Measure what schemathesis generates for the request bodies of createUser and updateUser, and what the suite adds.

Usage: python scripts/generated_inputs.py [--examples N] [--seed S]   (in the contract session's environment)

Loads openapi.yaml exactly as the contract suite does (deployhq_contract/plugin.py `_load_schema`, `ci` profile),
then takes, per operation: the coverage phase's cases as the pytest integration builds them; a seeded sample of
N fuzzing cases per generation mode (positive, negative); N seeded draws of the suite's own strategy
(`invitation_dicts` for createUser, `changes` for updateUser). Each `user` field is described by what its values
reach (lengths at and over each maxLength, white space, Unicode, letter case, time-zone families) and, for
invalid values, which JSON Schema keyword they break. Prints Markdown; docs/generated-inputs.md records a run
and what it means.
"""

from __future__ import annotations

import argparse
import functools
import sys
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# operationId -> (path, method, the schema of its `user` object)
OPERATIONS = {
    "createUser": ("/users", "POST", "UserInvitation"),
    "updateUser": ("/users/{identifier}", "PATCH", "UserChanges"),
}
STRING_FIELDS = ("first_name", "last_name")
SOURCES = ("coverage +", "coverage -", "fuzzing +", "fuzzing -", "suite")
DEFAULT_EXAMPLES = 100
LOCAL_PART = 64  # RFC 5321's longest local part, which the spec's email_address description adopts


class _Absent:
    """A field the `user` object does not have (unlike JSON null, which it may hold)."""

    def __repr__(self) -> str:
        return "<absent>"


ABSENT = _Absent()


@dataclass(frozen=True)
class Sample:
    """The `user` objects one source produced for one operation, and how many cases they came from."""

    source: str
    cases: int
    users: tuple[Any, ...]  # the body's `user` value, or ABSENT when the body has none
    sent_as_generated: int  # addresses the suite's before_call hook would send unchanged


# What a value reaches. Each takes the values of one field in one sample and returns a table cell.
Describe = Callable[[Sequence[object]], str]


def _strings(values: Iterable[object]) -> list[str]:
    return [v for v in values if isinstance(v, str)]


def count(predicate: Callable[[str], bool]) -> Describe:
    """The number of string values for which *predicate* holds."""
    return lambda values: str(sum(1 for v in _strings(values) if predicate(v)))


def lengths(values: Sequence[object]) -> str:
    found = [len(v) for v in _strings(values)]
    return f"{min(found)}..{max(found)}" if found else "-"


def length(size: int, *, at_least: bool = False) -> Callable[[str], bool]:
    """Whether a string is *size* characters long (code points, as JSON Schema's maxLength counts), or longer."""
    return lambda value: len(value) >= size if at_least else len(value) == size


def present(values: Sequence[object]) -> str:
    return str(sum(1 for v in values if v is not ABSENT))


def distinct(values: Sequence[object]) -> str:
    return str(len({repr(v) for v in values if v is not ABSENT}))


def has_space_around(value: str) -> bool:
    """White space before the first or after the last character, around something that is not white space."""
    return bool(value.strip()) and (value[0].isspace() or value[-1].isspace())


def has_space_inside(value: str) -> bool:
    return any(c.isspace() for c in value.strip())


def is_blank(value: str) -> bool:
    """Not empty, and white space only as the spec's `\\S` pattern reads it (ECMA-262's, not Python's, white space)."""
    from deployhq_contract.spec import is_blank as spec_blank

    return bool(value) and spec_blank(value)


def is_not_nfc(value: str) -> bool:
    return not unicodedata.is_normalized("NFC", value)


def beyond_bmp(value: str) -> bool:
    """A character that takes two UTF-16 units, so a server counting in UTF-16 sees a different length."""
    return any(ord(c) > 0xFFFF for c in value)


def has_control(value: str) -> bool:
    return any(unicodedata.category(c) == "Cc" for c in value)


def local_part(address: str) -> str:
    return address.rpartition("@")[0]


def mixed_case(value: str) -> bool:
    return any(c.isupper() for c in value) and any(c.islower() for c in value)


def family(zone: str) -> str:
    """`America/Argentina/Salta` -> `America`; a name without `/` (`UTC`, `Cuba`) is its own family `(no area)`."""
    return zone.partition("/")[0] if "/" in zone else "(no area)"


@functools.cache
def _property_validator(schema_name: str, field: str) -> Any:
    import jsonschema_rs

    from deployhq_contract.spec import document

    pointer = f"#/components/schemas/{schema_name}/properties/{field}"
    reference = {"$ref": pointer, "components": document()["components"]}
    return jsonschema_rs.validator_for(reference, validate_formats=True)


def broken_keywords(schema_name: str, field: str, value: object) -> list[str]:
    """The JSON Schema keywords *value* breaks as the spec's *field* (`maxLength`, `type`, `format`, ...)."""
    kinds = {type(error.kind).__name__ for error in _property_validator(schema_name, field).iter_errors(value)}
    return sorted(kind[0].lower() + kind[1:] for kind in kinds)


def invalid(schema_name: str, field: str) -> Describe:
    """How many values break the field's schema, by keyword: `maxLength 3, type 5`."""

    def describe(values: Sequence[object]) -> str:
        tally: Counter[str] = Counter()
        for value in values:
            if value is not ABSENT:
                tally.update(broken_keywords(schema_name, field, value))
        return ", ".join(f"{keyword} {n}" for keyword, n in sorted(tally.items())) or "0"

    return describe


def refused_beyond_format(address: str) -> bool:
    """Schema-valid, yet refused by what the spec's description adds (special-use and dotless domains, ...).

    The same library and options as the reference server, which follows that description.
    """
    from email_validator import EmailNotValidError, validate_email

    from deployhq_contract.hooks import is_valid_address

    if not is_valid_address(address):
        return False
    if not address.isascii():
        return True
    try:
        validate_email(address, check_deliverability=False, allow_smtputf8=False, strict=True, test_environment=True)
    except EmailNotValidError:
        return True
    return False


def zones_reached(values: Sequence[object]) -> str:
    from deployhq_contract.spec import TIME_ZONES

    reached = {v for v in _strings(values) if v in TIME_ZONES}
    return f"{len(reached)} of {len(TIME_ZONES)}"


def families_reached(values: Sequence[object]) -> str:
    from deployhq_contract.spec import TIME_ZONES

    every = {family(z) for z in TIME_ZONES}
    reached = {family(v) for v in _strings(values) if v in TIME_ZONES}
    return f"{len(reached)} of {len(every)}"


def _rows(schema_name: str) -> list[tuple[str, str, Describe]]:
    """(field, what, how to describe it) for every row of an operation's table."""
    from deployhq_contract.spec import FLAGS, MAX_LENGTHS, TIME_ZONES

    rows: list[tuple[str, str, Describe]] = []
    for field in STRING_FIELDS:
        top = MAX_LENGTHS[field]
        rows += [
            (field, "values (field present)", present),
            (field, "distinct values", distinct),
            (field, "lengths reached", lengths),
            (field, "length 1", count(length(1))),
            (field, f"length {top} (maxLength)", count(length(top))),
            (field, f"length {top + 1} (maxLength + 1)", count(length(top + 1))),
            (field, f"longer than {top + 1}", count(length(top + 2, at_least=True))),
            (field, "empty", count(lambda v: v == "")),
            (field, "white space only", count(is_blank)),
            (field, "white space around", count(has_space_around)),
            (field, "white space inside", count(has_space_inside)),
            (field, "non-ASCII", count(lambda v: not v.isascii())),
            (field, "not NFC (decomposed Unicode)", count(is_not_nfc)),
            (field, "beyond the BMP (e.g. emoji)", count(beyond_bmp)),
            (field, "control characters", count(has_control)),
            (field, "invalid, by keyword broken", invalid(schema_name, field)),
        ]
    top = MAX_LENGTHS["email_address"]
    rows += [
        ("email_address", "values (field present)", present),
        ("email_address", "distinct values", distinct),
        ("email_address", "lengths reached", lengths),
        ("email_address", f"length {top} (maxLength)", count(length(top))),
        ("email_address", f"length {top + 1} (maxLength + 1)", count(length(top + 1))),
        ("email_address", f"longer than {top + 1}", count(length(top + 2, at_least=True))),
        ("email_address", f"local part of {LOCAL_PART}", count(lambda v: len(local_part(v)) == LOCAL_PART)),
        ("email_address", f"local part of {LOCAL_PART + 1} or more", count(lambda v: len(local_part(v)) > LOCAL_PART)),
        ("email_address", "upper-case letters", count(lambda v: any(c.isupper() for c in v))),
        ("email_address", "mixed case", count(mixed_case)),
        ("email_address", "`+` tag", count(lambda v: "+" in local_part(v))),
        ("email_address", "non-ASCII", count(lambda v: not v.isascii())),
        ("email_address", "white space", count(lambda v: any(c.isspace() for c in v))),
        ("email_address", "schema-valid, refused by the description", count(refused_beyond_format)),
        ("email_address", "invalid, by keyword broken", invalid(schema_name, "email_address")),
        ("time_zone", "values (field present)", present),
        ("time_zone", "zones reached", zones_reached),
        ("time_zone", "families reached (Africa/, ..., no `/`)", families_reached),
        ("time_zone", "names without `/`", count(lambda v: "/" not in v and v in TIME_ZONES)),
        ("time_zone", "`Etc/` names", count(lambda v: v.startswith("Etc/") and v in TIME_ZONES)),
        ("time_zone", "invalid, by keyword broken", invalid(schema_name, "time_zone")),
    ]
    rows += [
        ("flags (six)", "values true", lambda values: str(sum(1 for v in values if v is True))),
        ("flags (six)", "values false", lambda values: str(sum(1 for v in values if v is False))),
        ("flags (six)", "omitted", lambda values: str(sum(1 for v in values if v is ABSENT))),
        ("flags (six)", "each flag both true and false", lambda values: f"{_both(values, len(FLAGS))} of {len(FLAGS)}"),
        ("flags (six)", "invalid, by keyword broken", invalid(schema_name, FLAGS[0])),
    ]
    return rows


def _both(values: Sequence[object], flags: int) -> int:
    """Flags seen both true and false; *values* holds the flags' values in turn, flag by flag, case by case."""
    seen: dict[int, set[bool]] = {}
    for index, value in enumerate(values):
        if isinstance(value, bool):
            seen.setdefault(index % flags, set()).add(value)
    return sum(1 for found in seen.values() if {True, False} <= found)


def field_values(users: Sequence[Any], field: str) -> list[object]:
    """Each `user` object's value for *field*, ABSENT where it has none (or where there is no `user` object)."""
    return [user.get(field, ABSENT) if isinstance(user, dict) else ABSENT for user in users]


def flag_values(users: Sequence[Any]) -> list[object]:
    from deployhq_contract.spec import FLAGS

    return [value for user in users for value in (field_values([user], flag)[0] for flag in FLAGS)]


def _user_of(body: object) -> Any:
    return body.get("user", ABSENT) if isinstance(body, dict) else ABSENT


def _sent_as_generated(cases: Sequence[Any]) -> int:
    """Addresses the suite's before_call hook would send unchanged (on loopback it replaces every valid one)."""
    import copy

    from deployhq_contract.hooks import contain_address, is_positive

    unchanged = 0
    for case in cases:
        user = _user_of(case.body)
        if isinstance(user, dict) and "email_address" in user:
            rewritten = copy.deepcopy(user)
            contain_address(rewritten, positive=is_positive(case))
            unchanged += rewritten["email_address"] == user["email_address"]
    return unchanged


def _sample(source: str, cases: Sequence[Any]) -> Sample:
    users = tuple(_user_of(case.body) for case in cases)
    return Sample(source, len(cases), users, _sent_as_generated(cases))


def draw(strategy: Any, examples: int, seed: int) -> list[Any]:
    """*examples* values of *strategy*, the same ones for the same *seed* (no example database to replay)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as seeded

    drawn: list[Any] = []

    # An explicit seed rather than derandomize, whose seed is a digest of this function's source: editing it
    # would change every figure.
    @seeded(seed)
    @settings(
        max_examples=examples,
        database=None,
        phases=[Phase.generate],
        deadline=None,
        suppress_health_check=[
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
            HealthCheck.large_base_example,
        ],
    )
    @given(strategy)
    def collect(value: Any) -> None:
        drawn.append(value)

    collect()
    return drawn


@dataclass(frozen=True)
class Measurement:
    operation: str
    samples: tuple[Sample, ...]
    ci_run: Mapping[str, int]  # cases per phase and mode in one `ci` run of the suite's pytest integration


def load_schema() -> Any:
    """openapi.yaml as the contract suite loads it against the embedded reference server (`ci` profile)."""
    from deployhq_contract import plugin
    from deployhq_contract.target import Credentials, Target

    target = Target(base_url="http://127.0.0.1:0", admin=Credentials("", ""), embedded=True)
    return plugin._load_schema(target, "ci")


def measure(operation_id: str, examples: int, schema: Any, seed: int = 0) -> Measurement:
    """Every sample of one operation: schemathesis' coverage and fuzzing phases, and the suite's strategy."""
    from hypothesis import settings
    from schemathesis import GenerationMode
    from schemathesis.generation.feedback import FeedbackSources
    from schemathesis.pytest._test_builder import build_operation_test
    from schemathesis.python._constants.orchestrator import make_constants_value_source

    from deployhq_contract import strategies

    path, method, _ = OPERATIONS[operation_id]
    operation = schema[path][method]
    # What the pytest plugin passes (plugin.py `collect`): constants analysis is off, so this is empty.
    feedback = FeedbackSources(constants_value_source=make_constants_value_source(schema))
    built: list[Any] = []

    def record(case: Any) -> None:
        built.append(case)

    test = build_operation_test(
        config=schema.config,
        operation=operation,
        test_func=record,
        given_kwargs={},
        feedback=feedback,
        explicit_settings=settings.get_profile("ci"),
    )
    test()
    ci_run = Counter(f"{case.meta.phase.name.value} {case.meta.generation.mode.value}" for case in built)
    coverage = [case for case in built if case.meta.phase.name.value == "coverage"]
    positive = [case for case in coverage if case.meta.generation.mode == GenerationMode.POSITIVE]
    negative = [case for case in coverage if case.meta.generation.mode == GenerationMode.NEGATIVE]
    fuzzed = {
        mode: draw(operation.as_strategy(generation_mode=mode, feedback=feedback), examples, seed)
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    }
    suite = strategies.invitation_dicts() if operation_id == "createUser" else strategies.changes()
    users = draw(suite, examples, seed)
    return Measurement(
        operation_id,
        (
            _sample(SOURCES[0], positive),
            _sample(SOURCES[1], negative),
            _sample(SOURCES[2], fuzzed[GenerationMode.POSITIVE]),
            _sample(SOURCES[3], fuzzed[GenerationMode.NEGATIVE]),
            # The suite's tests send what they draw: no hook rewrites their requests.
            Sample(SOURCES[4], len(users), tuple(users), sum(1 for user in users if "email_address" in user)),
        ),
        dict(sorted(ci_run.items())),
    )


def table(measurement: Measurement) -> str:
    """The Markdown table of one operation: a row per (field, what), a column per source."""
    _, _, schema_name = OPERATIONS[measurement.operation]
    samples = measurement.samples
    lines = [
        "| field | what | " + " | ".join(s.source for s in samples) + " |",
        "|---|---|" + "---:|" * len(samples),
        "| (body) | cases | " + " | ".join(str(s.cases) for s in samples) + " |",
        "| (body) | with a `user` object | "
        + " | ".join(str(sum(1 for u in s.users if isinstance(u, dict))) for s in samples)
        + " |",
    ]
    previous = ""
    for field, what, describe in _rows(schema_name):
        if field == "flags (six)":
            cells = [describe(flag_values(s.users)) for s in samples]
        else:
            cells = [describe(field_values(s.users, field)) for s in samples]
        lines.append(f"| {field if field != previous else ''} | {what} | " + " | ".join(cells) + " |")
        previous = field
        if field == "email_address" and what == "values (field present)":
            sent = [str(s.sent_as_generated) for s in samples]
            lines.append("|  | sent as generated (suite's before_call hook) | " + " | ".join(sent) + " |")
    return "\n".join(lines)


def report(measurements: Sequence[Measurement], examples: int, seed: int) -> str:
    from importlib.metadata import version

    parts = [
        f"schemathesis {version('schemathesis')}, hypothesis {version('hypothesis')}. "
        f"Fuzzing: {examples} cases per mode. Suite: {examples} draws. Seed {seed}. "
        "Coverage: every case of the phase. Counts are of values, except where a row says otherwise."
    ]
    for m in measurements:
        path, method, _ = OPERATIONS[m.operation]
        run = ", ".join(f"{key} {n}" for key, n in m.ci_run.items())
        parts.append(f"### {m.operation} ({method} {path})\n\nOne `ci` run of the suite generates: {run}.\n")
        parts.append(table(m))
    return "\n\n".join(parts) + "\n"


def _examples(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of examples") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} examples measure nothing: give 1 or more")
    return value


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is negative: give a seed of 0 or more")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--examples",
        type=_examples,
        default=DEFAULT_EXAMPLES,
        help=f"fuzzing cases per mode and suite draws per operation (default {DEFAULT_EXAMPLES})",
    )
    parser.add_argument(
        "--seed", type=_seed, default=0, help="hypothesis seed of the fuzzing and suite samples (default 0)"
    )
    args = parser.parse_args(argv)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))  # deployhq_contract is a folder of this repository
    schema = load_schema()
    measurements = [measure(operation, args.examples, schema, args.seed) for operation in OPERATIONS]
    print(report(measurements, args.examples, args.seed), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
