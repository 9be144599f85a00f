"""Drift against the vendor: our openapi.yaml against the facts of DeployHQ's published document and of its
Users API pages (drift/vendor-docs-facts.yaml, when present).

`check` lists every difference and fails on one that drift/intentional-differences.yaml does not explain (or on an
explanation that no longer matches anything). `refresh` rewrites the facts file from a vendor document and says which
differences are new since the last snapshot.
"""

from __future__ import annotations

import re
from pathlib import Path

from spec_guard._document import Node, SpecError, load
from spec_guard._drift import Difference, differences, judge, read_explanations
from spec_guard._facts import users_operations
from spec_guard._pages import differences as page_differences
from spec_guard._pages import read_pages
from spec_guard._project import Project
from spec_guard._snapshot import Snapshot, Source, dump, read


def _current(project: Project, snapshot: Snapshot) -> list[Difference]:
    ours = users_operations(load(project.spec), project.spec.name)
    return differences(snapshot.operations, ours)


def check(project: Project) -> tuple[bool, list[str]]:
    """(passed, lines to print): each difference with its reason, then what fails."""
    snapshot = read(project.vendor_facts)
    explanations = read_explanations(project.intentional)
    found = _current(project, snapshot)
    source = f"the vendor's document ({snapshot.source})"
    if project.vendor_docs.is_file():
        pages = read_pages(project.vendor_docs)
        found += page_differences(pages, load(project.spec), project.spec.name)
        source += f" and {len(pages)} of its Users API pages"
    verdict = judge(found, explanations)
    lines = [f"{project.spec.name} against {source}:"]
    for explanation in explanations:
        explained = [difference for difference, by in verdict.explained if by is explanation]
        if explained:
            lines.append(f"  explained ({len(explained)}): {explanation.reason}")
            lines.extend(f"    {difference}" for difference in explained)
    for difference in verdict.unexplained:
        lines.append(f"  UNEXPLAINED: {difference}")
    lines.extend(
        f"  STALE: the explanation {pattern!r} matches no difference any more: remove it" for pattern in verdict.stale
    )
    total = len(verdict.explained) + len(verdict.unexplained)
    lines.append(f"{total} difference(s): {len(verdict.explained)} explained, {len(verdict.unexplained)} unexplained.")
    failed = bool(verdict.unexplained or verdict.stale)
    if failed:
        lines.append(
            f"FAILED: fix openapi.yaml, or explain each difference in {project.intentional.relative_to(project.root)} "
            "with the reason we keep it."
        )
    return not failed, lines


COMMIT = re.compile(r"^[0-9a-fA-F]{7,40}$")


def _vendor_document(path: Path) -> Node:
    """The vendor's OpenAPI 3 document at *path*; anything else would be read as "no operation" and wipe the facts."""
    document = load(path)
    version = document.get("openapi")
    if version is None:
        raise SpecError(
            f"{path.name} is not an OpenAPI document: it has no `openapi` version; refresh reads the vendor's "
            "OpenAPI document (internal/commands/testdata/openapi.json of its CLI)"
        )
    if not str(version).startswith("3."):
        raise SpecError(f"{path.name} is not an OpenAPI 3 document (`openapi` is {str(version)!r})")
    return document


def refresh(project: Project, document_path: Path, source: Source) -> list[str]:
    """Rewrite the facts file from the vendor document at *document_path*; report differences new since the last.

    A document that is not OpenAPI 3, or has no /users operation, and a commit that is not a hash are refused
    before anything is written.
    """
    if COMMIT.match(source.commit) is None:
        raise SpecError(
            f"--commit {source.commit!r} is not a commit hash (7 to 40 hexadecimal digits) of the vendor's repository"
        )
    document = _vendor_document(document_path)
    fresh = Snapshot(source, users_operations(document, document_path.name))
    if not fresh.operations:
        raise SpecError(
            f"{document_path.name} has no /users operation: is it the vendor's document of the Users API? "
            "The facts file was left as it was"
        )
    previous = read(project.vendor_facts) if project.vendor_facts.is_file() else None
    now = _current(project, fresh)
    before = _current(project, previous) if previous else []
    project.vendor_facts.parent.mkdir(exist_ok=True)
    project.vendor_facts.write_text(dump(fresh), encoding="utf-8")
    lines = [
        f"Wrote {project.vendor_facts.relative_to(project.root)}: {len(fresh.operations)} operation(s) from {source}."
    ]
    if previous is None:
        lines.append(f"No previous snapshot: all {len(now)} difference(s) are new.")
    else:
        lines.append(f"Since the last snapshot ({previous.source}):")
    new = [difference for difference in now if difference not in before]
    gone = [difference for difference in before if difference not in now]
    lines.extend(f"  new: {difference}" for difference in new)
    lines.extend(f"  gone: {difference}" for difference in gone)
    if previous is not None and not new and not gone:
        lines.append("  no difference is new and none is gone.")
    unexplained = judge(now, read_explanations(project.intentional)).unexplained
    if unexplained:
        lines.append(
            f"{len(unexplained)} difference(s) are not explained: `nox -s vendor_drift` fails until each is fixed "
            f"or explained in {project.intentional.relative_to(project.root)}."
        )
    return lines
