"""Compare two OpenAPI 3.1 documents operation by operation and list every change a client would feel."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from spec_guard._changes import Change, Severity
from spec_guard._document import Node, Resolver, SpecError
from spec_guard._schemas import Direction, SchemaComparison

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DOCUMENT = "the document"
# Keys of an operation, parameter, body, response or media type that only document it.
DOC_KEYS = frozenset({"summary", "description", "tags", "externalDocs", "example", "examples", "links", "deprecated"})
# OpenAPI: header parameters with these names are ignored; the body and security define them.
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})


@dataclass(frozen=True)
class Operation:
    """One method on one path, with the path item's parameters it inherits."""

    method: str
    path: str
    node: Node
    path_item: Node

    @property
    def operation_id(self) -> str | None:
        value = self.node.get("operationId")
        return value if isinstance(value, str) else None

    @property
    def label(self) -> str:
        name = f"{self.method.upper()} {self.path}"
        return f"{name} ({self.operation_id})" if self.operation_id else name

    @property
    def subjects(self) -> tuple[str, ...]:
        named = (self.operation_id,) if self.operation_id else ()
        return (*named, f"{self.method.upper()} {self.path}", self.path)


def _openapi_version(document: Node, source: str) -> str:
    version = document.get("openapi")
    if not isinstance(version, str) or not version.startswith("3.1."):
        raise SpecError(f"{source}: the gate compares OpenAPI 3.1 documents, this one says openapi: {version!r}")
    return version


def operations(resolver: Resolver) -> dict[tuple[str, str], Operation]:
    """Every operation of the document, keyed by (method, path)."""
    paths = resolver.document.get("paths") or {}
    if not isinstance(paths, dict):
        raise SpecError(f"{resolver.source}: `paths` is not a mapping")
    found: dict[tuple[str, str], Operation] = {}
    for path, raw_item in paths.items():
        item, _ = resolver.resolve(raw_item)
        if not isinstance(item, dict):
            raise SpecError(f"{resolver.source}: the path item {path!r} is not a mapping")
        for method in METHODS:
            if isinstance(item.get(method), dict):
                found[method, path] = Operation(method, path, item[method], item)
    return found


def _a(media: str) -> str:
    return f"an {media}" if media[:1] in "aeiou" else f"a {media}"


def _differs(before: Node, after: Node, key: str) -> bool:
    return (key in before) != (key in after) or before.get(key) != after.get(key)


def _documented(before: Node, after: Node, keys: frozenset[str] = DOC_KEYS) -> list[str]:
    """The documentation keys (and `x-` extensions) that differ between two objects."""
    names = sorted(key for key in set(before) | set(after) if key in keys or key.startswith("x-"))
    return [key for key in names if _differs(before, after, key)]


class DocumentComparison:
    """All changes from *before* to *after*, in the order a reader meets them."""

    def __init__(self, before: Node, after: Node, *, before_source: str, after_source: str) -> None:
        self.before_version = _openapi_version(before, before_source)
        self.after_version = _openapi_version(after, after_source)
        self.before = Resolver(before, before_source)
        self.after = Resolver(after, after_source)
        self.before.check_references()
        self.after.check_references()
        self.changes: list[Change] = []

    def _add(self, severity: Severity, where: str, what: str, subjects: tuple[str, ...] = ()) -> None:
        self.changes.append(Change(severity, where, what, subjects))

    def _docs(self, where: str, prefix: str, before: Node, after: Node, keys: frozenset[str] = DOC_KEYS) -> None:
        changed = _documented(before, after, keys)
        if changed:
            self._add(Severity.DOCUMENTATION, where, f"{prefix}documentation changed ({', '.join(changed)})")

    def _schemas(
        self, before: Any, after: Any, *, direction: Direction, where: str, location: str, subjects: tuple[str, ...]
    ) -> None:
        comparison = SchemaComparison(
            self.before,
            self.after,
            direction=direction,
            where=where,
            location=location,
            subjects=subjects,
            changes=self.changes,
        )
        comparison.compare(before, after)

    def run(self) -> list[Change]:
        """Compare everything once and return the changes."""
        self._document()
        self._operations()
        self._components()
        return self.changes

    def _document(self) -> None:
        before, after = self.before.document, self.after.document
        if self.before_version != self.after_version:
            what = f"OpenAPI version changed from {self.before_version} to {self.after_version}"
            self._add(Severity.DOCUMENTATION, DOCUMENT, what)
        info_before = {key: value for key, value in (before.get("info") or {}).items() if key != "version"}
        info_after = {key: value for key, value in (after.get("info") or {}).items() if key != "version"}
        if info_before != info_after:
            changed = sorted(
                key for key in set(info_before) | set(info_after) if _differs(info_before, info_after, key)
            )
            self._add(Severity.DOCUMENTATION, DOCUMENT, f"documentation changed (info: {', '.join(changed)})")
        self._docs(DOCUMENT, "", before, after, frozenset({"tags", "externalDocs"}))
        self._servers(DOCUMENT, before.get("servers") or [], after.get("servers") or [])
        for key in ("webhooks", "jsonSchemaDialect"):
            if _differs(before, after, key):
                self._add(Severity.BREAKING, DOCUMENT, f"`{key}` changed in a way this gate cannot classify")

    def _servers(self, where: str, before: list[Any], after: list[Any]) -> None:
        old = {server.get("url"): server for server in before if isinstance(server, dict)}
        new = {server.get("url"): server for server in after if isinstance(server, dict)}
        for url in old.keys() - new.keys():
            self._add(Severity.BREAKING, where, f"the server {url} was removed", (str(url),))
        for url in new.keys() - old.keys():
            self._add(Severity.ADDITIVE, where, f"the server {url} was added")
        if any(old[url] != new[url] for url in old.keys() & new.keys()):
            self._add(Severity.DOCUMENTATION, where, "server descriptions or variables changed")

    def _operations(self) -> None:
        old, new = operations(self.before), operations(self.after)
        by_id = {op.operation_id: key for key, op in new.items() if op.operation_id and key not in old}
        moved: set[tuple[str, str]] = set()
        for key, before in old.items():
            if key in new:
                self._operation(before, new[key])
                continue
            target = by_id.get(before.operation_id) if before.operation_id else None
            if target is None:
                self._add(Severity.BREAKING, before.label, "the operation was removed", before.subjects)
                continue
            moved.add(target)
            after = new[target]
            what = f"the operation moved to {after.method.upper()} {after.path}"
            self._add(Severity.BREAKING, before.label, what, before.subjects)
            self._operation(before, after)
        for key, after in new.items():
            if key not in old and key not in moved:
                self._add(Severity.ADDITIVE, after.label, "the operation is new", after.subjects)

    def _operation(self, before: Operation, after: Operation) -> None:
        where = after.label
        if before.operation_id != after.operation_id:
            renamed = f"{before.operation_id} to {after.operation_id}"
            what = f"operationId changed from {renamed} (the client's function is renamed)"
            subjects = tuple(name for name in (before.operation_id, after.operation_id) if name)
            self._add(Severity.BREAKING, where, what, subjects)
        self._docs(where, "", before.node, after.node)
        self._parameters(before, after, where)
        self._request_body(before, after, where)
        self._responses(before, after, where)
        self._security(before, after, where)
        self._servers(where, before.node.get("servers") or [], after.node.get("servers") or [])
        if _differs(before.node, after.node, "callbacks"):
            self._add(Severity.BREAKING, where, "callbacks changed in a way this gate cannot classify", after.subjects)

    def _parameter_map(self, resolver: Resolver, operation: Operation) -> dict[tuple[str, str], Node]:
        found: dict[tuple[str, str], Node] = {}
        for raw in [*(operation.path_item.get("parameters") or []), *(operation.node.get("parameters") or [])]:
            parameter, _ = resolver.resolve(raw)
            if not isinstance(parameter, dict) or "name" not in parameter or "in" not in parameter:
                raise SpecError(f"{resolver.source}: {operation.label} has a parameter without `name` and `in`")
            name = str(parameter["name"])
            place = str(parameter["in"])
            if place == "header" and name.lower() in IGNORED_HEADERS:
                continue
            # Header names are case-insensitive; the operation's own parameter overrides the path item's.
            found[place, name.lower() if place == "header" else name] = parameter
        return found

    def _parameters(self, before: Operation, after: Operation, where: str) -> None:
        old = self._parameter_map(self.before, before)
        new = self._parameter_map(self.after, after)
        for key in list(dict.fromkeys([*old, *new])):
            place, _ = key
            parameter = old.get(key) or new[key]
            name = str(parameter["name"])
            label = f"{place} parameter `{name}`"
            if key not in new:
                self._add(Severity.BREAKING, where, f"{label} was removed", (name,))
                continue
            required = bool(new[key].get("required")) or place == "path"
            if key not in old:
                severity = Severity.BREAKING if required else Severity.ADDITIVE
                self._add(severity, where, f"{label} is new and {'required' if required else 'optional'}", (name,))
                continue
            was_required = bool(old[key].get("required")) or place == "path"
            if was_required != required:
                severity = Severity.BREAKING if required else Severity.ADDITIVE
                self._add(severity, where, f"{label} is {'now' if required else 'no longer'} required", (name,))
            for style in ("style", "explode", "allowReserved", "allowEmptyValue", "content"):
                if _differs(old[key], new[key], style):
                    self._add(Severity.BREAKING, where, f"{label} changed its `{style}`: clients send it differently")
            self._docs(where, f"{label}: ", old[key], new[key])
            self._schemas(
                old[key].get("schema", True),
                new[key].get("schema", True),
                direction=Direction.REQUEST,
                where=where,
                location=label,
                subjects=(name,),
            )

    def _request_body(self, before: Operation, after: Operation, where: str) -> None:
        old, _ = self.before.resolve(before.node.get("requestBody"))
        new, _ = self.after.resolve(after.node.get("requestBody"))
        subjects = after.subjects
        if old is None and new is None:
            return
        if new is None:
            self._add(Severity.BREAKING, where, "no longer takes a request body", subjects)
            return
        required = bool(new.get("required"))
        if old is None:
            severity, what = (
                (Severity.BREAKING, "now requires a request body")
                if required
                else (Severity.ADDITIVE, "now takes an optional request body")
            )
            self._add(severity, where, what, subjects)
            return
        if bool(old.get("required")) != required:
            severity = Severity.BREAKING if required else Severity.ADDITIVE
            self._add(severity, where, f"the request body is {'now' if required else 'no longer'} required", subjects)
        self._docs(where, "request body: ", old, new)
        old_content: Node = old.get("content") or {}
        new_content: Node = new.get("content") or {}
        for media in old_content.keys() - new_content.keys():
            self._add(Severity.BREAKING, where, f"no longer accepts {_a(media)} request body", subjects)
        for media in new_content.keys() - old_content.keys():
            self._add(Severity.ADDITIVE, where, f"now also accepts {_a(media)} request body", subjects)
        several = len(new_content) > 1
        for media in [media for media in old_content if media in new_content]:
            location = f"request body ({media})" if several else "request body"
            self._media(old_content[media], new_content[media], Direction.REQUEST, where, location, subjects)

    def _media(
        self, old: Node, new: Node, direction: Direction, where: str, location: str, subjects: tuple[str, ...]
    ) -> None:
        self._docs(where, f"{location}: ", old, new)
        if _differs(old, new, "encoding"):
            self._add(Severity.BREAKING, where, f"{location} changed its `encoding`: check it by hand", subjects)
        self._schemas(
            old.get("schema", True),
            new.get("schema", True),
            direction=direction,
            where=where,
            location=location,
            subjects=subjects,
        )

    def _responses(self, before: Operation, after: Operation, where: str) -> None:
        old: Node = before.node.get("responses") or {}
        new: Node = after.node.get("responses") or {}
        for status in [str(status) for status in dict.fromkeys([*old, *new])]:
            if status not in new:
                self._add(Severity.BREAKING, where, f"no longer answers {status}", (status,))
            elif status not in old:
                self._add(Severity.ADDITIVE, where, f"may now answer {status}", (status,))
            else:
                self._response(status, old[status], new[status], where, after.subjects)

    def _response(self, status: str, raw_old: Any, raw_new: Any, where: str, subjects: tuple[str, ...]) -> None:
        old, _ = self.before.resolve(raw_old)
        new, _ = self.after.resolve(raw_new)
        self._docs(where, f"response {status}: ", old, new)
        self._headers(status, old.get("headers") or {}, new.get("headers") or {}, where)
        old_content: Node = old.get("content") or {}
        new_content: Node = new.get("content") or {}
        for media in old_content.keys() - new_content.keys():
            self._add(Severity.BREAKING, where, f"response {status} no longer has {_a(media)} body", (status,))
        for media in new_content.keys() - old_content.keys():
            if old_content:
                what = f"response {status} may now be {media} instead of {', '.join(sorted(old_content))}"
                self._add(Severity.BREAKING, where, what, (status,))
            else:
                self._add(Severity.ADDITIVE, where, f"response {status} now has {_a(media)} body", (status,))
        several = len(new_content) > 1
        for media in [media for media in old_content if media in new_content]:
            location = f"response {status} body ({media})" if several else f"response {status} body"
            self._media(old_content[media], new_content[media], Direction.RESPONSE, where, location, (status,))

    def _headers(self, status: str, old_raw: Node, new_raw: Node, where: str) -> None:
        old = {name.lower(): (name, self.before.resolve(header)[0]) for name, header in old_raw.items()}
        new = {name.lower(): (name, self.after.resolve(header)[0]) for name, header in new_raw.items()}
        for key in list(dict.fromkeys([*old, *new])):
            name = (old.get(key) or new[key])[0]
            label = f"response {status} header `{name}`"
            if key not in new:
                self._add(Severity.BREAKING, where, f"{label} was removed", (name,))
            elif key not in old:
                self._add(Severity.ADDITIVE, where, f"{label} is new", (name,))
            else:
                old_header, new_header = old[key][1], new[key][1]
                was, now = bool(old_header.get("required")), bool(new_header.get("required"))
                if was and not now:
                    self._add(Severity.BREAKING, where, f"{label} may now be missing (no longer required)", (name,))
                elif now and not was:
                    self._add(Severity.ADDITIVE, where, f"{label} is now always sent (required)", (name,))
                self._docs(where, f"{label}: ", old_header, new_header)
                self._schemas(
                    old_header.get("schema", True),
                    new_header.get("schema", True),
                    direction=Direction.RESPONSE,
                    where=where,
                    location=label,
                    subjects=(name,),
                )

    def _requirements(self, document: Node, operation: Operation) -> set[str]:
        raw = operation.node.get("security", document.get("security"))
        if not isinstance(raw, list):
            raw = []
        # Each requirement is one way to authenticate; its schemes (with scopes) must all be given.
        return {
            json.dumps(sorted((name, sorted(scopes or [])) for name, scopes in requirement.items()))
            for requirement in raw
            if isinstance(requirement, dict)
        } or {json.dumps([])}

    def _security(self, before: Operation, after: Operation, where: str) -> None:
        old = self._requirements(self.before.document, before)
        new = self._requirements(self.after.document, after)
        anonymous = json.dumps([])
        if old == new:
            return
        if old == {anonymous}:
            for requirement in sorted(new - old):
                names = [name for name, _ in json.loads(requirement)]
                self._add(Severity.BREAKING, where, f"now requires authentication by {' + '.join(names)}", tuple(names))
            return
        for requirement in sorted(old - new):
            names = [name for name, _ in json.loads(requirement)]
            what = (
                f"no longer accepts authentication by {' + '.join(names)}" if names else "now requires authentication"
            )
            self._add(Severity.BREAKING, where, what, tuple(names) or after.subjects)
        for requirement in sorted(new - old):
            names = [name for name, _ in json.loads(requirement)]
            what = (
                f"now also accepts authentication by {' + '.join(names)}"
                if names
                else "now works without authentication"
            )
            self._add(Severity.ADDITIVE, where, what, tuple(names))

    def _components(self) -> None:
        old: Node = self.before.document.get("components") or {}
        new: Node = self.after.document.get("components") or {}
        old_schemas: Node = old.get("schemas") or {}
        new_schemas: Node = new.get("schemas") or {}
        for name in old_schemas:
            if name not in new_schemas:
                what = f"the schema `{name}` was removed (the client's model class for it goes away)"
                self._add(Severity.BREAKING, DOCUMENT, what, (name,))
        for name in new_schemas:
            if name not in old_schemas:
                self._add(Severity.ADDITIVE, DOCUMENT, f"the schema `{name}` is new", (name,))
        old_schemes: Node = old.get("securitySchemes") or {}
        new_schemes: Node = new.get("securitySchemes") or {}
        for name in list(dict.fromkeys([*old_schemes, *new_schemes])):
            if name not in new_schemes:
                self._add(Severity.BREAKING, DOCUMENT, f"the security scheme `{name}` was removed", (name,))
            elif name not in old_schemes:
                self._add(Severity.ADDITIVE, DOCUMENT, f"the security scheme `{name}` is new", (name,))
            else:
                old_scheme, new_scheme = old_schemes[name], new_schemes[name]
                for key in sorted(set(old_scheme) | set(new_scheme)):
                    if key != "description" and _differs(old_scheme, new_scheme, key):
                        what = f"the security scheme `{name}` changed its `{key}`"
                        self._add(Severity.BREAKING, DOCUMENT, what, (name,))
                self._docs(DOCUMENT, f"security scheme `{name}`: ", old_scheme, new_scheme, frozenset({"description"}))


def compare_documents(before: Node, after: Node, *, before_source: str, after_source: str) -> list[Change]:
    """Every change from *before* to *after* that a client of the API would feel, plus documentation changes."""
    return DocumentComparison(before, after, before_source=before_source, after_source=after_source).run()
