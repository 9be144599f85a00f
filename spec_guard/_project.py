"""Where the project keeps the files the guards read: the spec, pyproject.toml, CHANGELOG.md and releases/."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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

    def frozen(self, version: str) -> Path:
        """The frozen copy of the spec as released under *version*."""
        return self.releases / f"openapi-{version}.yaml"
