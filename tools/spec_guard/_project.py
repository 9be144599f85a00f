"""Where the project keeps the files the guards read: the spec, pyproject.toml, CHANGELOG.md, releases/, drift/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Project:
    """The files of one checkout (the repository, or a copy a test builds)."""

    root: Path = ROOT

    @property
    def spec(self) -> Path:
        return self.root / "openapi.yaml"

    @property
    def pyproject(self) -> Path:
        return self.root / "pyproject.toml"

    @property
    def changelog(self) -> Path:
        return self.root / "CHANGELOG.md"

    @property
    def releases(self) -> Path:
        return self.root / "releases"

    @property
    def vendor_facts(self) -> Path:
        """Our facts about the vendor's published document (never a copy of it)."""
        return self.root / "drift" / "vendor-users-facts.yaml"

    @property
    def vendor_docs(self) -> Path:
        """Our facts about DeployHQ's Users API pages: their example answers, refusals and request fields."""
        return self.root / "drift" / "vendor-docs-facts.yaml"

    @property
    def intentional(self) -> Path:
        """The differences from the vendor's document we keep on purpose, each with its reason."""
        return self.root / "drift" / "intentional-differences.yaml"

    def frozen(self, version: str) -> Path:
        """The frozen copy of the spec as released under *version*."""
        return self.releases / f"openapi-{version}.yaml"
