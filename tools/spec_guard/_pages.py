"""Drift against DeployHQ's Users API pages: the facts in drift/vendor-docs-facts.yaml against our openapi.yaml.

Each example answer must be valid against our schema for its operation and status; each documented status and
request field must be in our spec; each documented error body must be one of our spec's examples, word for word,
so that a reader of openapi.yaml sees the refusal as DeployHQ words it.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from spec_guard._document import Node, Resolver, SpecError, load
from spec_guard._drift import Difference

URI = "urn:deployhq-users:openapi"


@dataclass(frozen=True)
class Answer:
    """One example answer of a page: its status (`2xx` when the page gives none) and its body."""

    status: str
    body: Any


@dataclass(frozen=True)
class Request:
    """The request fields a page lists: those under its wrapper key (required or not) and those beside it."""

    wrapper: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    top_level: tuple[str, ...]


@dataclass(frozen=True)
class Page:
    """One page: its name, its date, the operation (`METHOD /path` in our spelling), request and answers."""

    name: str
    updated: str
    method: str
    path: str
    request: Request | None
    answers: tuple[Answer, ...]

    @property
    def label(self) -> str:
        return f"docs {self.name} ({self.updated})"


def _names(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(name, str) for name in raw):
        raise SpecError(f"{where} must be a list of field names")
    return tuple(raw)


def read_pages(path: Path) -> list[Page]:
    """The facts file of the vendor's pages; a malformed one is a SpecError naming the page and the key."""
    data = load(path)
    raw_pages = data.get("pages")
    if not isinstance(raw_pages, list):
        raise SpecError(f"{path.name} needs a `pages:` list")
    pages: list[Page] = []
    for number, raw in enumerate(raw_pages, start=1):
        where = f"{path.name}: page {number}"
        if not isinstance(raw, dict):
            raise SpecError(f"{where} is not a mapping")
        # The index page documents no operation of its own (only who may call them all).
        name, updated, operation = raw.get("page"), raw.get("updated"), raw.get("operation", "")
        if not isinstance(name, str) or not isinstance(updated, str) or not isinstance(operation, str):
            raise SpecError(f"{where} needs `page`, `updated` (YYYY-MM-DD, quoted) and `operation` (METHOD /path)")
        method, _, route = operation.partition(" ")
        if operation and not route.startswith("/"):
            raise SpecError(f"{where} ({name}): `operation` {operation!r} is not `METHOD /path`")
        request = raw.get("request")
        parsed: Request | None = None
        if request is not None:
            if not isinstance(request, dict) or not isinstance(request.get("wrapper"), str):
                raise SpecError(f"{where} ({name}): `request` needs a `wrapper` key name")
            parsed = Request(
                request["wrapper"],
                _names(request.get("required"), f"{where} ({name}) request.required"),
                _names(request.get("optional"), f"{where} ({name}) request.optional"),
                _names(request.get("top_level"), f"{where} ({name}) request.top_level"),
            )
        answers = []
        for answer in raw.get("answers") or []:
            if not isinstance(answer, dict) or not isinstance(answer.get("status"), str) or "body" not in answer:
                raise SpecError(f"{where} ({name}): each answer needs a quoted `status` and a `body`")
            answers.append(Answer(answer["status"], answer["body"]))
        pages.append(Page(name, updated, method.upper(), route, parsed, tuple(answers)))
    return pages


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


class _Ours:
    """Our openapi.yaml, asked about one operation at a time."""

    def __init__(self, document: Node, source: str) -> None:
        self.document = document
        self.resolver = Resolver(document, source)
        self.registry: Registry[Any] = Registry().with_resource(URI, DRAFT202012.create_resource(document))

    def operation(self, method: str, path: str) -> Node | None:
        item = self.document.get("paths", {}).get(path)
        found = item.get(method.lower()) if isinstance(item, dict) else None
        return found if isinstance(found, dict) else None

    def statuses(self, operation: Node, status: str) -> list[str]:
        """Our statuses that a page's status names: itself, or every 2xx for `2xx`."""
        ours = [str(code) for code in operation.get("responses", {})]
        if status.endswith("xx"):
            return [code for code in ours if code.startswith(status[0])]
        return [code for code in ours if code == status]

    def media(self, method: str, path: str, status: str) -> tuple[str, Node] | None:
        """The JSON pointer of the schema of our answer, and its media object (examples live there)."""
        operation = self.operation(method, path)
        assert operation is not None
        response, ref = self.resolver.resolve(operation["responses"][status])
        content = response.get("content", {}) if isinstance(response, dict) else {}
        media = content.get("application/json")
        if not isinstance(media, dict) or "schema" not in media:
            return None
        base = ref[1:] if ref else f"/paths/{_escape(path)}/{method.lower()}/responses/{status}"
        return f"{base}/content/application~1json/schema", media

    def problems(self, pointer: str, body: Any) -> Iterator[str]:
        validator = Draft202012Validator(
            {"$ref": f"{URI}#{pointer}"}, registry=self.registry, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        for error in sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path)):
            place = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path) or "(body)"
            yield f"{place}: {error.message}"

    def request_fields(self, operation: Node, wrapper: str) -> tuple[set[str], set[str], set[str]]:
        """(fields under *wrapper*, those of them required, top-level keys) of our request body."""
        body, _ = self.resolver.resolve(operation.get("requestBody", {}))
        media = body.get("content", {}).get("application/json", {}) if isinstance(body, dict) else {}
        schema, _ = self.resolver.resolve(media.get("schema", {}))
        top = schema.get("properties", {}) if isinstance(schema, dict) else {}
        inner, _ = self.resolver.resolve(top.get(wrapper, {}))
        fields = set(inner.get("properties", {})) if isinstance(inner, dict) else set()
        required = set(inner.get("required", [])) if isinstance(inner, dict) else set()
        return fields, required, set(top) - {wrapper}


def _examples(media: Node) -> list[Any]:
    found = [media["example"]] if "example" in media else []
    found.extend(example.get("value") for example in media.get("examples", {}).values() if isinstance(example, dict))
    return found


def _compact(body: Any) -> str:
    return json.dumps(body, separators=(", ", ": "))


def _request(page: Page, ours: _Ours, operation: Node, label: str) -> Iterator[Difference]:
    assert page.request is not None
    fields, required, top = ours.request_fields(operation, page.request.wrapper)
    wrapper = page.request.wrapper
    for name in (*page.request.required, *page.request.optional):
        subject = f"{page.label} request field `{wrapper}.{name}`"
        if name not in fields:
            yield Difference(label, subject, "the page has it, ours does not")
        elif (name in page.request.required) != (name in required):
            page_says = "required" if name in page.request.required else "optional"
            ours_says = "required" if name in required else "optional"
            yield Difference(label, subject, f"page {page_says}, ours {ours_says}")
    for name in page.request.top_level:
        if name not in top:
            yield Difference(label, f"{page.label} request field `{name}`", "the page has it, ours does not")


def _answer(page: Page, answer: Answer, ours: _Ours, operation: Node, label: str) -> Iterator[Difference]:
    subject = f"{page.label} answer {answer.status}"
    statuses = ours.statuses(operation, answer.status)
    if len(statuses) != 1:
        detail = "ours has no such status" if not statuses else f"ours has several: {', '.join(statuses)}"
        yield Difference(label, subject, detail)
        return
    found = ours.media(page.method, page.path, statuses[0])
    if found is None:
        yield Difference(label, subject, "ours has no JSON body for it")
        return
    pointer, media = found
    for problem in ours.problems(pointer, answer.body):
        yield Difference(label, subject, f"not valid against ours: {problem}")
    if statuses[0].startswith(("4", "5")) and answer.body not in _examples(media):
        yield Difference(label, subject, f"ours does not show the page's body {_compact(answer.body)} as an example")


def differences(pages: list[Page], document: Node, source: str) -> list[Difference]:
    """Every difference between what the pages document and our openapi.yaml, in the order of the pages."""
    ours = _Ours(document, source)
    found: list[Difference] = []
    for page in (page for page in pages if page.method):
        label = f"{page.method} {page.path}"
        operation = ours.operation(page.method, page.path)
        if operation is None:
            found.append(Difference(label, page.label, "the page documents this operation, ours does not"))
            continue
        if page.request is not None:
            found.extend(_request(page, ours, operation, label))
        for answer in page.answers:
            found.extend(_answer(page, answer, ours, operation, label))
    return found
