"""deployhq_users._changes: update_user's keywords are the spec's fields, and the body carries exactly those given."""

from __future__ import annotations

import asyncio
import json
import typing

import attrs
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from deployhq_client.models import UserChanges
from deployhq_client.models.time_zone import TIME_ZONE_VALUES
from deployhq_users import UserChangesDict, connect, update_user, update_user_async

from .conftest import API_KEY, BASE_URL

IDENTIFIER = "a1b2c3d4-5e6f-7890-abcd-ef1234567890"
FLAGS = [
    "account_administrator", "can_manage_users", "can_manage_billing", "can_create_projects", "can_manage_agents",
    "all_projects_allowed",
]  # fmt: skip
# One valid value per field, as a caller would write it.
SAMPLE: dict[str, object] = {
    "first_name": "Janet", "last_name": "Smith-Jones", "email_address": "janet@example.com",
    "time_zone": "Europe/London", **dict.fromkeys(FLAGS, True),
}  # fmt: skip
USER = {
    "id": 7, "identifier": IDENTIFIER, "first_name": "Jane", "last_name": "Smith", "email_address": "jane@example.com",
    "time_zone": "Etc/UTC", "activated": False, **dict.fromkeys(FLAGS, False),
}  # fmt: skip


def run(result):
    """The call's result, awaited on a fresh event loop when it is a coroutine."""
    return asyncio.run(result) if asyncio.iscoroutine(result) else result


def sent_body(api, **changes) -> object:
    """Call update_user with *changes* against a scripted 200 and return the JSON body it sent."""
    client, server = api(httpx.Response(200, json=USER))
    update_user(client, IDENTIFIER, **changes)
    [request] = server.requests
    return json.loads(request.content)


def test_the_keywords_are_the_specs_user_changes(spec):
    """UserChangesDict lists the spec's UserChanges properties in order, as the generated model does, all optional."""
    properties = list(spec["components"]["schemas"]["UserChanges"]["properties"])
    generated = [field.name for field in attrs.fields(UserChanges) if field.name != "additional_properties"]
    declared = list(typing.get_type_hints(UserChangesDict))
    assert (properties, properties, frozenset(properties)) == (generated, declared, UserChangesDict.__optional_keys__)


def test_the_flags_are_booleans_and_the_rest_strings(spec):
    """Each keyword's type matches the spec's: the booleans are bool, the other fields str (time_zone its enum)."""
    schemas = spec["components"]["schemas"]
    json_types = {
        name: schemas[schema["$ref"].rsplit("/", 1)[1]]["type"] if "$ref" in schema else schema["type"]
        for name, schema in schemas["UserChanges"]["properties"].items()
    }
    hints = typing.get_type_hints(UserChangesDict)
    python_types = {name: "boolean" if hint is bool else "string" for name, hint in hints.items()}
    assert (json_types, frozenset(TIME_ZONE_VALUES)) == (python_types, frozenset(typing.get_args(hints["time_zone"])))


def test_one_flag_sends_that_flag_only(api):
    """update_user(client, id, can_manage_users=True) sends {"user": {"can_manage_users": true}} and nothing else."""
    assert {"user": {"can_manage_users": True}} == sent_body(api, can_manage_users=True)


@pytest.mark.parametrize("field", list(SAMPLE))
def test_each_field_alone_is_sent_alone(api, field):
    """Each field given on its own is the only key of `user`, with its value as given (False too)."""
    value = False if field in FLAGS else SAMPLE[field]
    assert {"user": {field: value}} == sent_body(api, **{field: value})


def test_an_empty_string_is_sent_as_given(api):
    """last_name="" is sent as "" (how a last name is emptied), not dropped like a field left out."""
    assert {"user": {"last_name": ""}} == sent_body(api, last_name="")


def test_no_field_sends_an_empty_user(api):
    """With no keyword, the body is {"user": {}}: the spec's no-op, answered with the user as it is."""
    assert {"user": {}} == sent_body(api)


@given(changes=st.fixed_dictionaries({}, optional={**{name: st.text() for name in SAMPLE if name not in FLAGS},
                                                   "time_zone": st.sampled_from(sorted(TIME_ZONE_VALUES)),
                                                   **{flag: st.booleans() for flag in FLAGS}}))  # fmt: skip
def test_the_body_carries_exactly_the_keys_given(changes):
    """For any subset of the fields with any values of their types, `user` is exactly that subset, as given."""
    seen: list[object] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.read()))
        return httpx.Response(200, json=USER)

    # A client of its own: hypothesis runs the body many times, and function-scoped fixtures only once.
    with connect(base_url=BASE_URL, email="ops@example.com", api_key=API_KEY, env={},
                 transport=httpx.MockTransport(answer)) as client:  # fmt: skip
        update_user(client, IDENTIFIER, **changes)
    assert [{"user": changes}] == seen


def test_the_request_is_a_json_patch_of_the_user(api):
    """The change goes as PATCH <base>/users/<identifier> with a JSON body."""
    client, server = api(httpx.Response(200, json=USER))
    update_user(client, IDENTIFIER, first_name="Janet")
    [request] = server.requests
    assert ("PATCH", f"{BASE_URL}/users/{IDENTIFIER}", "application/json") == (
        request.method, str(request.url), request.headers["content-type"]
    )  # fmt: skip


def test_the_async_twin_sends_the_same_request(api):
    """update_user_async sends the same method, URL and body as update_user."""
    client, server = api(httpx.Response(200, json=USER), httpx.Response(200, json=USER))
    update_user(client, IDENTIFIER, time_zone="Europe/London", can_create_projects=True)
    asyncio.run(update_user_async(client, IDENTIFIER, time_zone="Europe/London", can_create_projects=True))
    first, second = ((r.method, str(r.url), json.loads(r.content)) for r in server.requests)
    assert first == second


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"can_manage_user": True}, "'can_manage_user' (did you mean 'can_manage_users'?)"),
        ({"firstname": "Janet"}, "'firstname' (did you mean 'first_name'?)"),
        ({"rate_limit_retry": 1}, "'rate_limit_retry' (did you mean 'rate_limit_retries'?)"),
        ({"activated": True}, "an unexpected keyword argument 'activated';"),
        ({"id": 3, "identifier_": IDENTIFIER}, "unexpected keyword arguments 'id', 'identifier_'"),
    ],
    ids=["typo flag", "typo name", "typo option", "read-only field", "two unknown"],
)
@pytest.mark.parametrize("call", [update_user, update_user_async])
def test_an_unknown_keyword_is_refused_naming_it(api, call, changes, named):
    """A keyword that is no field raises TypeError naming it (and the closest name), and nothing is sent."""
    client, server = api(httpx.Response(200, json=USER))
    with pytest.raises(TypeError) as caught:
        run(call(client, IDENTIFIER, can_create_projects=True, **changes))
    assert (True, True, []) == (named in str(caught.value), "nothing was sent" in str(caught.value), server.requests)


@pytest.mark.parametrize("field", list(SAMPLE))
def test_none_is_refused_for_every_field(api, field):
    """None is no value of any field (the spec has no null): TypeError naming the field, and nothing is sent."""
    client, server = api(httpx.Response(200, json=USER))
    with pytest.raises(TypeError, match=rf"^update_user: {field}=None is no value the API takes: leave {field} out"):
        update_user(client, IDENTIFIER, **{field: None})
    assert [] == server.requests


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("can_manage_users", "true", "can_manage_users must be True or False, got 'true' (str)"),
        ("all_projects_allowed", 1, "all_projects_allowed must be True or False, got 1 (int)"),
        ("first_name", 5, "first_name must be a string, got 5 (int)"),
        ("time_zone", True, "time_zone must be a string, got True (bool)"),
        ("email_address", b"j@example.com", "email_address must be a string, got b'j@example.com' (bytes)"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused(api, field, value, expected):
    """A value that is not of its field's JSON type raises TypeError naming both, and nothing is sent."""
    client, server = api(httpx.Response(200, json=USER))
    with pytest.raises(TypeError) as caught:
        update_user(client, IDENTIFIER, **{field: value})
    assert (f"update_user: {expected}; nothing was sent", []) == (str(caught.value), server.requests)


def test_a_zone_outside_the_list_is_left_to_the_server(api):
    """A string time_zone that is no IANA name is sent: the server judges values (422), the client only types."""
    assert {"user": {"time_zone": "Mars/Olympus_Mons"}} == sent_body(api, time_zone="Mars/Olympus_Mons")
