"""The checked-in facts file: facts about the vendor's document, with where and when they were taken from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from spec_guard._document import SpecError, load
from spec_guard._facts import Body, Field, Operation, Parameter

HEADER = """\
# Facts about the Users operations (/users*) of DeployHQ's published OpenAPI document: methods, paths, operationIds,
# parameter and field names, JSON types, required-ness and status codes. No description, example or other text of
# that document is kept here. Written by `nox -s vendor_refresh -- DOCUMENT --commit SHA --date YYYY-MM-DD`;
# do not edit by hand.
"""


@dataclass(frozen=True)
class Source:
    """Where the facts were read: repository, path in it, commit, and the commit's date."""

    repository: str
    path: str
    commit: str
    date: str

    def __str__(self) -> str:
        return f"{self.repository} {self.path} at {self.commit[:7]} ({self.date})"


@dataclass(frozen=True)
class Snapshot:
    """The facts file: its source and the facts of each operation."""

    source: Source
    operations: list[Operation]


def _body(body: Body, required: bool | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {} if required is None else {"required": required}
    data["media"] = list(body.media)
    data["fields"] = [{"name": f.name, "type": f.type, "required": f.required} for f in body.fields]
    return data


def dump(snapshot: Snapshot) -> str:
    """The facts file's text."""
    operations = []
    for operation in snapshot.operations:
        operations.append(
            {
                "method": operation.method,
                "path": operation.path,
                "operationId": operation.operation_id,
                "parameters": [
                    {"name": p.name, "in": p.location, "type": p.type, "required": p.required}
                    for p in operation.parameters
                ],
                "request": None if operation.request is None else _body(operation.request, operation.request_required),
                "responses": {status: _body(body) for status, body in operation.responses.items()},
            }
        )
    source = snapshot.source
    head = {
        "source": {"repository": source.repository, "path": source.path, "commit": source.commit, "date": source.date}
    }
    return (
        HEADER
        + str(yaml.safe_dump(head, sort_keys=False, default_flow_style=False))
        + str(yaml.safe_dump({"operations": operations}, sort_keys=False, default_flow_style=None, width=120))
    )


def _read_body(data: Any, where: str) -> Body:
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("media"), list)
        or not isinstance(data.get("fields"), list)
    ):
        raise SpecError(f"{where} needs `media` and `fields` lists")
    fields = tuple(Field(str(f["name"]), str(f["type"]), bool(f["required"])) for f in data["fields"])
    return Body(tuple(str(media) for media in data["media"]), fields)


def read(path: Path) -> Snapshot:
    """The facts file at *path*; a malformed one is a SpecError naming what is wrong."""
    data = load(path)
    try:
        source = Source(**{key: str(data["source"][key]) for key in ("repository", "path", "commit", "date")})
        operations = []
        for number, raw in enumerate(data["operations"]):
            where = f"{path.name}: operation {number + 1}"
            request = raw["request"]
            operations.append(
                Operation(
                    method=str(raw["method"]),
                    path=str(raw["path"]),
                    operation_id=raw.get("operationId"),
                    parameters=tuple(
                        Parameter(str(p["name"]), str(p["in"]), str(p["type"]), bool(p["required"]))
                        for p in raw["parameters"]
                    ),
                    request=None if request is None else _read_body(request, f"{where} request"),
                    request_required=bool(request.get("required")) if isinstance(request, dict) else False,
                    responses={
                        str(status): _read_body(body, f"{where} response {status}")
                        for status, body in raw["responses"].items()
                    },
                )
            )
    except (KeyError, TypeError, AttributeError) as error:
        raise SpecError(
            f"{path.name} is not a facts file written by `vendor_refresh`: missing or wrong {error}"
        ) from error
    return Snapshot(source, operations)
