"""The validator: defaults, Rails messages, and an address check no stricter or looser than the spec."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deployhq_sandbox import Invitation, Validator, load_spec
from deployhq_sandbox._validation import ECMA_WHITESPACE, is_blank

jsonschema_rs = pytest.importorskip("jsonschema_rs")


@pytest.fixture(scope="module")
def validator() -> Validator:
    return Validator(load_spec())


def test_defaults(validator: Validator) -> None:
    """Only the required fields give an invitation with every default applied."""
    result = validator.validate({"user": {"first_name": "Ada", "email_address": "Ada@Example.COM"}})
    assert result == Invitation(
        first_name="Ada",
        last_name=None,
        email_address="Ada@Example.COM",
        email_key="ada@example.com",
        time_zone="Etc/UTC",
    )


def test_every_problem_is_reported_at_once(validator: Validator) -> None:
    """All invalid fields are named together, Rails-style."""
    result = validator.validate(
        {"user": {"first_name": "", "email_address": "x", "time_zone": "Nowhere", "can_manage_agents": "yes"}}
    )
    assert result == {
        "first_name": ["can't be blank"],
        "email_address": ["is invalid"],
        "time_zone": ["is not included in the list"],
        "can_manage_agents": ["must be true or false"],
    }


def test_changes_check_only_what_was_sent(validator: Validator) -> None:
    """An update's changes are the sent fields alone: no default, no required field, unknown keys ignored."""
    assert ({}, {"can_create_projects": True}, {"time_zone": "Europe/London"}) == (
        validator.changes({"user": {}}),
        validator.changes({"user": {"can_create_projects": True, "shoe_size": 44}}),
        validator.changes({"user": {"time_zone": "Europe/London"}}),
    )


def test_changes_keep_the_address_key(validator: Validator) -> None:
    """A changed address comes with the lower-cased key duplicates are decided on."""
    expected = {"email_address": "Ada@Example.COM", "email_key": "ada@example.com"}
    assert expected == validator.changes({"user": {"email_address": "Ada@Example.COM"}})


@pytest.mark.parametrize(
    ("user", "expected"),
    [
        ({"first_name": " "}, {"first_name": ["can't be blank"]}),
        ({"first_name": None}, {"first_name": ["can't be blank"]}),
        ({"email_address": None}, {"email_address": ["can't be blank"]}),
        ({"email_address": "x"}, {"email_address": ["is invalid"]}),
        ({"last_name": None}, {"last_name": ["must be a string"]}),
        ({"time_zone": None}, {"time_zone": ["is not included in the list"]}),
        ({"account_administrator": "true"}, {"account_administrator": ["must be true or false"]}),
        ({"last_name": "L", "can_manage_users": 0}, {"can_manage_users": ["must be true or false"]}),
    ],
)
def test_changes_apply_the_invitation_rules_to_sent_fields(
    validator: Validator, user: object, expected: object
) -> None:
    """Each sent value is checked as for an invitation, and only the sent fields are named."""
    assert expected == validator.changes({"user": user})


@pytest.mark.parametrize("payload", [None, [], "x", {"user": []}, {"user": "x"}, {"first_name": "A"}])
def test_changes_without_a_user_object_are_missing(validator: Validator, payload: object) -> None:
    """An update body with no `user` object is `{"user": ["is missing"]}`, like an invitation's."""
    assert {"user": ["is missing"]} == validator.changes(payload)


def test_blank_is_what_the_spec_pattern_says() -> None:
    """White space is ECMA-262's \\s, the regex dialect of the spec's `pattern: \\S`, not Python's."""
    pattern = jsonschema_rs.validator_for({"type": "string", "pattern": r"\S"})
    disagreements = [
        hex(code)
        for code in range(0x10000)
        if not 0xD800 <= code < 0xE000 and is_blank(chr(code)) == pattern.is_valid(chr(code))
    ]
    assert (disagreements, len(ECMA_WHITESPACE)) == ([], 25)


# Domains with an IDNA prefix in every letter case: the class the server and jsonschema_rs once disagreed on.
ACE_DOMAINS = st.tuples(
    st.sampled_from(["xn--", "XN--", "Xn--", "xN--"]),
    st.sampled_from(["p1ai", "11b4c3d", "54b7fta0cc", "bcher-kva", "vermgensberater-ctb"]),
    st.sampled_from(["", ".example", ".com"]),
).map("".join)


@settings(deadline=None)
@given(
    st.one_of(
        st.emails(),
        st.text(min_size=1, max_size=40).map(lambda text: text + "@example.com"),
        st.from_regex(r"\A[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]{1,70}@[a-zA-Z0-9.-]{1,70}\Z"),
        st.tuples(
            st.from_regex(r"\A[a-zA-Z0-9]{1,10}\Z"), st.sampled_from(["a.", "sub.example.", ""]), ACE_DOMAINS
        ).map(lambda parts: f"{parts[0]}@{parts[1]}{parts[2]}"),
        st.text(max_size=80),
    )
)
def test_accepted_addresses_are_schema_emails(address: str) -> None:
    """Every address the server accepts is a JSON Schema `format: email`, so a 201 never echoes a bad one."""
    validator = Validator(load_spec())
    email_format = jsonschema_rs.validator_for({"type": "string", "format": "email"}, validate_formats=True)
    if validator.email_key(address) is not None:
        assert email_format.is_valid(address)


ODD_CASE_PREFIXES = ["0@A.XN--11B4C3D", "0@A.XN--54B7FTA0CC", "a@XN--BCHER-KVA.example", "a@a.Xn--p1ai", "a@a.xN--p1ai"]


@pytest.mark.parametrize("address", ODD_CASE_PREFIXES)
def test_an_idna_prefix_not_in_lower_case_is_refused(validator: Validator, address: str) -> None:
    """A domain label starting XN--, Xn-- or xN-- is `is invalid`: jsonschema_rs' format: email refuses it too."""
    email_format = jsonschema_rs.validator_for({"type": "string", "format": "email"}, validate_formats=True)
    assert (None, False) == (validator.email_key(address), email_format.is_valid(address))


@pytest.mark.parametrize(
    "address", [a.rpartition("@")[0] + "@" + a.rpartition("@")[2].lower() for a in ODD_CASE_PREFIXES]
)
def test_the_same_domains_with_a_lower_case_prefix_are_accepted(validator: Validator, address: str) -> None:
    """With `xn--` in lower case the same addresses are accepted, by the server and by jsonschema_rs alike."""
    email_format = jsonschema_rs.validator_for({"type": "string", "format": "email"}, validate_formats=True)
    assert (address.lower(), True) == (validator.email_key(address), email_format.is_valid(address))


def test_the_rest_of_the_label_may_be_in_any_case(validator: Validator) -> None:
    """Only the prefix's case matters: `a@a.xn--P1AI` is accepted by both."""
    email_format = jsonschema_rs.validator_for({"type": "string", "format": "email"}, validate_formats=True)
    assert ("a@a.xn--p1ai", True) == (validator.email_key("a@a.xn--P1AI"), email_format.is_valid("a@a.xn--P1AI"))


@pytest.mark.parametrize(
    "address",
    [
        "ü@example.com",
        "a@bü.com",
        "a@localhost",
        "a@example.invalid",
        "zz1@test",
        "a@com",
        "Jane <a@example.com>",
        "x" * 65 + "@example.com",
    ],
)
def test_addresses_refused_on_purpose(validator: Validator, address: str) -> None:
    """Non-ASCII, special-use and dotless domains, display names and over-long local parts are `is invalid`."""
    assert validator.email_key(address) is None


@pytest.mark.parametrize("address", ["a@example.com", "a+tag@sub.example.co.uk", "contract-1@example.test"])
def test_addresses_accepted(validator: Validator, address: str) -> None:
    """Ordinary addresses and the reserved `.test` domain are accepted."""
    assert validator.email_key(address) == address.lower()


def test_property_tests_are_deterministic_by_default() -> None:
    """The `tests` session draws the same examples every run and replays none from a local database."""
    assert (True, None) == (settings.default.derandomize, settings.default.database)


def test_an_a_label_address_is_found_by_its_ascii_form(client: object, app: object) -> None:
    """An address with an A-label domain is a duplicate in any case and is found by `activate` as typed."""
    first = client.post("/users", json={"user": {"first_name": "I", "email_address": "ivan@example.xn--p1ai"}})  # type: ignore[attr-defined]
    again = client.post("/users", json={"user": {"first_name": "I", "email_address": "IVAN@example.xn--P1AI"}})  # type: ignore[attr-defined]
    activated = app.state.store.activate("Ivan@Example.xn--p1ai")  # type: ignore[attr-defined]
    assert (201, 422, True) == (first.status_code, again.status_code, getattr(activated, "activated", None))
