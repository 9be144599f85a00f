"""Compare two JSON Schemas (OpenAPI 3.1, draft 2020-12) from the side of the client that sends or receives them.

A value a client sends (request) may only keep being accepted: a schema that accepts less breaks it.
A value a client receives (response) may only keep what it promised: a schema that may give more breaks it.
So every difference is first sized as "accepts less" or "accepts more", then weighed by the direction.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Iterable
from typing import Any

from spec_guard._changes import Change, Severity
from spec_guard._document import Resolver

# Keywords that only document a schema: a change to them is never felt by a client.
ANNOTATIONS = frozenset(
    {"description", "title", "examples", "example", "deprecated", "readOnly", "writeOnly", "$comment", "externalDocs"}
)
LOWER_BOUNDS = ("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties", "minContains")
UPPER_BOUNDS = ("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties", "maxContains")
# Each narrows the values when added and widens them when removed; a changed value may do both.
RESTRICTIONS = ("pattern", "format", "contentMediaType", "contentEncoding")
HANDLED = frozenset(
    {"$ref", "type", "enum", "const", "properties", "required", "additionalProperties", "items", "default"}
    | {"uniqueItems", "multipleOf"}
    | set(LOWER_BOUNDS)
    | set(UPPER_BOUNDS)
    | set(RESTRICTIONS)
)
ANY_KEY = "<any key>"
ARTICLES = {"integer": "an integer", "object": "an object", "array": "an array", "null": "null"}


class Direction(enum.Enum):
    """Who produces the values of a schema."""

    REQUEST = "request"  # the client sends them
    RESPONSE = "response"  # the client receives them


def field_path(path: tuple[str, ...]) -> str:
    """`user.first_name`, `[].activated`, `<any key>[]`: a path as a person reads it."""
    text = ""
    for part in path:
        text += part if part == "[]" or not text else f".{part}"
    return text


def values_text(values: Iterable[Any], limit: int = 6) -> str:
    """`the value "ok"` or `the values "a", "b" and 3 more`."""
    shown = [json.dumps(value) for value in values]
    noun = "the value" if len(shown) == 1 else "the values"
    more = f" and {len(shown) - limit} more" if len(shown) > limit else ""
    return f"{noun} {', '.join(shown[:limit])}{more}"


def types_text(types: Iterable[str]) -> str:
    """`null`, `a string or an integer`."""
    return " or ".join(ARTICLES.get(name, f"a {name}") for name in sorted(types))


def _schema(node: Any) -> dict[str, Any]:
    """A boolean schema as the mapping it stands for (true: anything, false: nothing)."""
    if node is True or node is None:
        return {}
    if node is False:
        return {"not": {}}
    return node if isinstance(node, dict) else {"const": node}


def _types(schema: dict[str, Any]) -> frozenset[str] | None:
    kind = schema.get("type")
    if kind is None:
        return None
    return frozenset([kind] if isinstance(kind, str) else kind)


def _may_be(schema: dict[str, Any], kind: str) -> bool:
    types = _types(schema)
    return types is None or kind in types


def _covered(kind: str, types: frozenset[str]) -> bool:
    return kind in types or (kind == "integer" and "number" in types)


def _values(schema: dict[str, Any]) -> dict[str, Any] | None:
    """The allowed values keyed by their canonical JSON, or None when any value of the type is allowed."""
    if "const" in schema:
        listed = [schema["const"]]
    elif isinstance(schema.get("enum"), list):
        listed = schema["enum"]
    else:
        return None
    return {json.dumps(value, sort_keys=True): value for value in listed}


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class SchemaComparison:
    """Compares the schemas under one request or response of one operation, appending to *changes*."""

    def __init__(
        self,
        before: Resolver,
        after: Resolver,
        *,
        direction: Direction,
        where: str,
        location: str,
        subjects: tuple[str, ...],
        changes: list[Change],
    ) -> None:
        self.before = before
        self.after = after
        self.direction = direction
        self.where = where
        self.location = location  # "request body", "response 200 body", "query parameter `limit`"
        self.subjects = subjects  # named when the change is about the body or parameter as a whole
        self.changes = changes
        self._active: set[tuple[str | None, str | None]] = set()

    def _place(self, path: tuple[str, ...]) -> str:
        if not path:
            return self.location
        if path == ("[]",):
            return f"{self.location} items"
        return f"{self.location} field `{field_path(path)}`"

    def _subjects(self, path: tuple[str, ...]) -> tuple[str, ...]:
        names = [part for part in path if part not in ("[]", ANY_KEY)]
        return (names[-1],) if names else self.subjects

    def _add(self, severity: Severity, path: tuple[str, ...], what: str) -> None:
        self.changes.append(Change(severity, self.where, f"{self._place(path)} {what}", self._subjects(path)))

    def _sized(self, path: tuple[str, ...], *, narrower: bool, wider: bool, what: str) -> None:
        """Record a change that makes the schema accept fewer values, more values, or both."""
        breaks = narrower if self.direction is Direction.REQUEST else wider
        self._add(Severity.BREAKING if breaks else Severity.ADDITIVE, path, what)

    def compare(self, before: Any, after: Any, path: tuple[str, ...] = ()) -> None:
        """Record every difference between the two schemas at *path*."""
        before_node, before_ref = self.before.resolve(before)
        after_node, after_ref = self.after.resolve(after)
        pair = (before_ref, after_ref)
        if pair != (None, None):
            if pair in self._active:  # a recursive schema: this pair is already being compared further up
                return
            self._active.add(pair)
        try:
            self._compare(_schema(before_node), _schema(after_node), path)
        finally:
            self._active.discard(pair)

    def _compare(self, before: dict[str, Any], after: dict[str, Any], path: tuple[str, ...]) -> None:
        self._compare_types(before, after, path)
        self._compare_values(before, after, path)
        self._compare_bounds(before, after, path)
        self._compare_restrictions(before, after, path)
        self._compare_default(before, after, path)
        # When one side cannot be an object (or an array), the type change above already says all there is.
        if _may_be(before, "object") and _may_be(after, "object"):
            if any(key in schema for schema in (before, after) for key in ("properties", "required")):
                self._compare_properties(before, after, path)
            if any("additionalProperties" in schema or "properties" in schema for schema in (before, after)):
                self._compare_additional(before, after, path)
        if _may_be(before, "array") and _may_be(after, "array") and ("items" in before or "items" in after):
            self.compare(before.get("items", True), after.get("items", True), (*path, "[]"))
        self._compare_rest(before, after, path)

    def _compare_types(self, before: dict[str, Any], after: dict[str, Any], path: tuple[str, ...]) -> None:
        old, new = _types(before), _types(after)
        if old == new:
            return
        request = self.direction is Direction.REQUEST
        if old is None:
            assert new is not None
            what = f"now accepts only {types_text(new)}" if request else f"is now always {types_text(new)}"
            self._sized(path, narrower=True, wider=False, what=what)
            return
        if new is None:
            what = "now accepts any type" if request else "may now be of any type"
            self._sized(path, narrower=False, wider=True, what=what)
            return
        dropped = [kind for kind in old if not _covered(kind, new)]
        gained = [kind for kind in new if not _covered(kind, old)]
        if dropped:
            what = f"no longer accepts {types_text(dropped)}" if request else f"is never {types_text(dropped)} any more"
            self._sized(path, narrower=True, wider=False, what=what)
        if gained:
            what = f"now also accepts {types_text(gained)}" if request else f"may now be {types_text(gained)}"
            self._sized(path, narrower=False, wider=True, what=what)

    def _compare_values(self, before: dict[str, Any], after: dict[str, Any], path: tuple[str, ...]) -> None:
        old, new = _values(before), _values(after)
        if old == new:
            return
        request = self.direction is Direction.REQUEST
        if old is None:
            assert new is not None
            listed = values_text(new.values())
            what = f"now accepts only {listed}" if request else f"is now always one of {listed}"
            self._sized(path, narrower=True, wider=False, what=what)
            return
        if new is None:
            what = "now accepts any value of its type" if request else "may now be any value of its type"
            self._sized(path, narrower=False, wider=True, what=f"{what}, not only {values_text(old.values())}")
            return
        dropped = [value for key, value in old.items() if key not in new]
        gained = [value for key, value in new.items() if key not in old]
        if dropped:
            listed = values_text(dropped)
            what = f"no longer accepts {listed}" if request else f"is never {listed} any more"
            self._sized(path, narrower=True, wider=False, what=what)
        if gained:
            listed = values_text(gained)
            what = f"now also accepts {listed}" if request else f"may now be {listed}"
            self._sized(path, narrower=False, wider=True, what=what)

    def _compare_bounds(self, before: dict[str, Any], after: dict[str, Any], path: tuple[str, ...]) -> None:
        for keyword in (*LOWER_BOUNDS, *UPPER_BOUNDS):
            old, new = before.get(keyword), after.get(keyword)
            if old == new:
                continue
            if old is None:
                self._sized(path, narrower=True, wider=False, what=f"gained {keyword} {new}")
            elif new is None:
                self._sized(path, narrower=False, wider=True, what=f"lost its {keyword} ({old})")
            elif not (_is_number(old) and _is_number(new)):
                what = f"{keyword} changed from {json.dumps(old)} to {json.dumps(new)}"
                self._sized(path, narrower=True, wider=True, what=what)
            else:
                raised = new > old
                narrower = raised if keyword in LOWER_BOUNDS else not raised
                verb = "raised" if raised else "lowered"
                self._sized(path, narrower=narrower, wider=not narrower, what=f"{keyword} {verb} from {old} to {new}")
        self._compare_multiple_of(before.get("multipleOf"), after.get("multipleOf"), path)
        old_unique, new_unique = bool(before.get("uniqueItems")), bool(after.get("uniqueItems"))
        if old_unique != new_unique:
            what = "now requires unique items" if new_unique else "no longer requires unique items"
            self._sized(path, narrower=new_unique, wider=old_unique, what=what)

    def _compare_multiple_of(self, old: Any, new: Any, path: tuple[str, ...]) -> None:
        if old == new:
            return
        what = f"multipleOf changed from {old} to {new}"
        if old is None or new is None:
            self._sized(path, narrower=new is not None, wider=old is not None, what=what)
        elif _is_number(old) and _is_number(new) and new and old:
            # Every multiple of 4 is a multiple of 2: a divisor of the old step widens, a multiple narrows.
            wider = (old / new).is_integer()
            narrower = (new / old).is_integer()
            self._sized(path, narrower=narrower or not wider, wider=wider or not narrower, what=what)
        else:
            self._sized(path, narrower=True, wider=True, what=what)

    def _compare_restrictions(self, before: dict[str, Any], after: dict[str, Any], path: tuple[str, ...]) -> None:
        for keyword in RESTRICTIONS:
            old, new = before.get(keyword), after.get(keyword)
            if old == new:
                continue
            if old is None:
                self._sized(path, narrower=True, wider=False, what=f"gained {keyword} {json.dumps(new)}")
            elif new is None:
                self._sized(path, narrower=False, wider=True, what=f"lost its {keyword} {json.dumps(old)}")
            else:
                what = f"{keyword} changed from {json.dumps(old)} to {json.dumps(new)}"
                self._sized(path, narrower=True, wider=True, what=what)

    def _compare_default(self, before: dict[str, Any], after: dict[str, Any], path: tuple[str, ...]) -> None:
        if before.get("default") == after.get("default") and ("default" in before) == ("default" in after):
            return
        if self.direction is Direction.RESPONSE:
            self._add(Severity.DOCUMENTATION, path, "documentation changed (default)")
        elif "default" not in before:
            self._add(Severity.ADDITIVE, path, f"now has the default {json.dumps(after['default'])}")
        else:
            # Generated clients send a schema's default for an omitted field, and servers apply it.
            shown = json.dumps(after["default"]) if "default" in after else "none"
            what = f"default changed from {json.dumps(before['default'])} to {shown}"
            self._add(Severity.BREAKING, path, f"{what}: an omitted value now means something else")

    def _compare_properties(self, before: dict[str, Any], after: dict[str, Any], path: tuple[str, ...]) -> None:
        old_properties: dict[str, Any] = before.get("properties") or {}
        new_properties: dict[str, Any] = after.get("properties") or {}
        old_required = set(before.get("required") or ())
        new_required = set(after.get("required") or ())
        names = list(dict.fromkeys([*old_properties, *sorted(old_required), *new_properties, *sorted(new_required)]))
        request = self.direction is Direction.REQUEST
        for name in names:
            field = (*path, name)
            was = name in old_properties or name in old_required
            now = name in new_properties or name in new_required
            if was and not now:
                self._add(Severity.BREAKING, field, "was removed")
            elif now and not was:
                if request and name in new_required:
                    self._add(Severity.BREAKING, field, "is new and required")
                else:
                    self._add(Severity.ADDITIVE, field, "is new (optional)" if request else "is new")
            else:
                self._compare_required(field, name in old_required, name in new_required, request=request)
                self.compare(old_properties.get(name, True), new_properties.get(name, True), field)

    def _compare_required(self, field: tuple[str, ...], old: bool, new: bool, *, request: bool) -> None:
        if old == new:
            return
        if request:
            self._sized(field, narrower=new, wider=old, what="is now required" if new else "is no longer required")
        else:
            what = "is now always present (required)" if new else "may now be missing (no longer required)"
            self._sized(field, narrower=new, wider=old, what=what)

    def _compare_additional(self, before: dict[str, Any], after: dict[str, Any], path: tuple[str, ...]) -> None:
        old = before.get("additionalProperties", True)
        new = after.get("additionalProperties", True)
        request = self.direction is Direction.REQUEST
        if old is False and new is not False:
            what = "now accepts keys it does not list" if request else "may now carry keys it does not list"
            # A client keeps unknown response keys (User says so), so they never break one.
            self._add(Severity.ADDITIVE, path, what)
        elif new is False and old is not False:
            what = "no longer accepts keys it does not list" if request else "no longer carries keys it does not list"
            self._sized(path, narrower=True, wider=False, what=what)
        elif old is not False:
            self.compare(old, new, (*path, ANY_KEY))

    def _compare_rest(self, before: dict[str, Any], after: dict[str, Any], path: tuple[str, ...]) -> None:
        documented = []
        for key in sorted((set(before) | set(after)) - HANDLED):
            if before.get(key) == after.get(key) and (key in before) == (key in after):
                continue
            if key in ANNOTATIONS or key.startswith("x-"):
                documented.append(key)
            else:
                what = f"changed `{key}` in a way this gate cannot classify: check it by hand"
                self._add(Severity.BREAKING, path, what)
        if documented:
            self._add(Severity.DOCUMENTATION, path, f"documentation changed ({', '.join(documented)})")
