"""Facts about the Users operations of an OpenAPI document: names, types, required-ness and status codes.

Facts carry no description, example or other prose, so a snapshot of another party's document can be kept
as facts alone. Our own openapi.yaml is reduced to the same facts before the two are compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from spec_guard._document import Node, Resolver, SpecError

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
BODY = "(body)"
ANY_KEY = "<any key>"
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})


@dataclass(frozen=True)
class Field:
    """One field of a body, `user.first_name` or `[].id`, with its JSON type(s) and whether it must be there."""

    name: str
    type: str
    required: bool


@dataclass(frozen=True)
class Parameter:
    """One parameter: where it goes (path, query, header, cookie), its type, whether it must be sent."""

    name: str
    location: str
    type: str
    required: bool


@dataclass(frozen=True)
class Body:
    """A request or response body: its media types and the fields of its JSON schema (empty for no body)."""

    media: tuple[str, ...]
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Operation:
    """The facts of one operation."""

    method: str  # upper case
    path: str
    operation_id: str | None
    parameters: tuple[Parameter, ...]
    request: Body | None
    request_required: bool
    responses: dict[str, Body]

    @property
    def key(self) -> tuple[str, str]:
        """(method, path with every parameter name blanked): the same operation whatever its parameters are called."""
        parts = ["{}" if part.startswith("{") and part.endswith("}") else part for part in self.path.split("/")]
        return self.method, "/".join(parts)


def type_of(schema: dict[str, Any]) -> str:
    """`string`, `string|null`, `object`, ...: the JSON types a schema allows, `any` when it does not say."""
    kind = schema.get("type")
    if isinstance(kind, str | list):
        kinds = {kind} if isinstance(kind, str) else set(kind)
        if schema.get("nullable") is True:  # OpenAPI 3.0's spelling of `type: [..., "null"]`
            kinds.add("null")
        return "|".join(sorted(kinds, key=lambda name: (name == "null", name)))
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    for combinator in ("oneOf", "anyOf"):
        if combinator in schema:
            return combinator
    return "any"


class Extractor:
    """Reads the facts out of one document."""

    def __init__(self, document: Node, source: str) -> None:
        self.resolver = Resolver(document, source)
        self.resolver.check_references()

    def schema(self, node: Any) -> tuple[dict[str, Any], str | None]:
        resolved, ref = self.resolver.resolve(node)
        if not isinstance(resolved, dict):
            return {}, ref
        if isinstance(resolved.get("allOf"), list):
            merged: dict[str, Any] = {key: value for key, value in resolved.items() if key != "allOf"}
            for part in resolved["allOf"]:
                piece, _ = self.schema(part)
                merged.setdefault("properties", {}).update(piece.get("properties") or {})
                merged["required"] = [*merged.get("required", []), *piece.get("required", [])]
                merged.setdefault("type", piece.get("type", "object"))
            return merged, ref
        return resolved, ref

    def fields(self, node: Any, name: str, required: bool, seen: frozenset[str] = frozenset()) -> list[Field]:
        """The field at *name* and every field under it."""
        schema, ref = self.schema(node)
        found = [Field(name or BODY, type_of(schema), required)]
        if ref is not None and ref in seen:  # a recursive schema: its fields were listed further up
            return found
        inner = seen | {ref} if ref else seen
        prefix = f"{name}." if name else ""
        required_names = set(schema.get("required") or ())
        for child, child_schema in (schema.get("properties") or {}).items():
            found.extend(self.fields(child_schema, f"{prefix}{child}", child in required_names, inner))
        if isinstance(schema.get("additionalProperties"), dict):
            found.extend(self.fields(schema["additionalProperties"], f"{prefix}{ANY_KEY}", False, inner))
        if "items" in schema:
            found.extend(self.fields(schema["items"], f"{name}[]", True, inner))
        return found

    def body(self, content: Any, required: bool) -> Body:
        content = content if isinstance(content, dict) else {}
        media = tuple(sorted(content))
        chosen = "application/json" if "application/json" in content else (media[0] if media else None)
        if chosen is None or not isinstance(content[chosen], dict) or "schema" not in content[chosen]:
            return Body(media, ())
        return Body(media, tuple(self.fields(content[chosen]["schema"], "", required)))

    def parameters(self, path_item: Node, operation: Node) -> tuple[Parameter, ...]:
        found: dict[tuple[str, str], Parameter] = {}
        for raw in [*(path_item.get("parameters") or []), *(operation.get("parameters") or [])]:
            parameter, _ = self.resolver.resolve(raw)
            name, location = str(parameter.get("name")), str(parameter.get("in"))
            if location == "header" and name.lower() in IGNORED_HEADERS:
                continue
            schema, _ = self.schema(parameter.get("schema", {}))
            required = bool(parameter.get("required")) or location == "path"
            found[location, name] = Parameter(name, location, type_of(schema), required)
        return tuple(found.values())

    def operations(self, prefix: str) -> list[Operation]:
        """Every operation whose path is *prefix* or lies under it, in document order."""
        paths = self.resolver.document.get("paths") or {}
        if not isinstance(paths, dict):
            raise SpecError(f"{self.resolver.source}: `paths` is not a mapping")
        found: list[Operation] = []
        for path, raw_item in paths.items():
            if path != prefix and not path.startswith(f"{prefix}/"):
                continue
            item, _ = self.resolver.resolve(raw_item)
            for method in METHODS:
                node = item.get(method)
                if isinstance(node, dict):
                    found.append(self.operation(method, path, item, node))
        return found

    def operation(self, method: str, path: str, item: Node, node: Node) -> Operation:
        body, _ = self.resolver.resolve(node.get("requestBody"))
        request_required = bool(body.get("required")) if isinstance(body, dict) else False
        request = self.body(body.get("content"), request_required) if isinstance(body, dict) else None
        responses: dict[str, Body] = {}
        for status, raw in (node.get("responses") or {}).items():
            response, _ = self.resolver.resolve(raw)
            responses[str(status)] = self.body(response.get("content") if isinstance(response, dict) else None, True)
        operation_id = node.get("operationId")
        return Operation(
            method=method.upper(),
            path=path,
            operation_id=operation_id if isinstance(operation_id, str) else None,
            parameters=self.parameters(item, node),
            request=request,
            request_required=request_required,
            responses=responses,
        )


def users_operations(document: Node, source: str) -> list[Operation]:
    """The facts of every Users operation (`/users` and the paths under it) of *document*."""
    return Extractor(document, source).operations("/users")
