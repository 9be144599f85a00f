"""Read an OpenAPI document (YAML or JSON) and follow its local `$ref`s."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

Node = dict[str, Any]


class SpecError(Exception):
    """A document that cannot be read or compared; the message names the file and the problem."""


def load(path: Path) -> Node:
    """The document at *path* as a dict; a missing, unreadable or non-mapping file is a SpecError."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SpecError(f"cannot read {path}: {error.strerror or error}") from error
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except (yaml.YAMLError, json.JSONDecodeError) as error:
        raise SpecError(f"{path} is not valid {'JSON' if path.suffix == '.json' else 'YAML'}: {error}") from error
    if not isinstance(data, dict):
        raise SpecError(f"{path} is not an OpenAPI document (its top level is not a mapping)")
    return data


def info_version(document: Node, source: str) -> str:
    """The document's `info.version`, which must be a string."""
    info = document.get("info")
    version = info.get("version") if isinstance(info, dict) else None
    if not isinstance(version, str):
        raise SpecError(f"{source} has no info.version string")
    return version


class Resolver:
    """Follows `#/...` references inside one document; every other reference is a SpecError."""

    def __init__(self, document: Node, source: str) -> None:
        self.document = document
        self.source = source

    def check_references(self) -> None:
        """Follow every `$ref` in the document once, so that a broken one is named before any comparison."""
        pending: list[Any] = [self.document]
        while pending:
            node = pending.pop()
            if isinstance(node, dict):
                if isinstance(node.get("$ref"), str):
                    self.pointer(node["$ref"])
                pending.extend(node.values())
            elif isinstance(node, list):
                pending.extend(node)

    def pointer(self, ref: str) -> Any:
        """The value a local JSON pointer names."""
        if not ref.startswith("#/"):
            raise SpecError(f"{self.source}: only local references (#/...) are supported, found {ref!r}")
        node: Any = self.document
        for token in ref[2:].split("/"):
            key = token.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                raise SpecError(f"{self.source}: the reference {ref!r} points at nothing")
        return node

    def resolve(self, node: Any) -> tuple[Any, str | None]:
        """*node* with its `$ref` chain followed, and the last reference followed (None if there was none).

        OpenAPI 3.1 lets a `$ref` have sibling keywords; they are laid over the target, which is exact for
        the annotations (`description`) such siblings carry in practice.
        """
        ref: str | None = None
        seen: set[str] = set()
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:
                raise SpecError(f"{self.source}: the reference {ref!r} refers to itself")
            seen.add(ref)
            siblings = {key: value for key, value in node.items() if key != "$ref"}
            target = self.pointer(ref)
            node = {**target, **siblings} if isinstance(target, dict) and siblings else target
        return node, ref
