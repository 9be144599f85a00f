"""Build hook: puts a second copy of the repository's openapi.yaml in the wheel, for the contract suite.

hatchling maps each source file to one destination (force-include is keyed by source), and the spec is needed
twice: the reference server reads deployhq_sandbox/openapi.yaml, the contract suite deployhq_contract/openapi.yaml.
Both are copied from the one openapi.yaml at build time (tests/test_packaging.py compares the bytes).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SUITE_SPEC = "deployhq_contract/openapi.yaml"


class SuiteSpecHook(BuildHookInterface):  # type: ignore[type-arg]
    """Force-include a build-time copy of openapi.yaml as the contract suite's spec."""

    PLUGIN_NAME = "custom"

    _staging: tempfile.TemporaryDirectory[str] | None = None

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if version == "editable":
            return  # an editable install runs the checkout's contract_tests/, which reads the checkout's spec
        self._staging = tempfile.TemporaryDirectory(prefix="deployhq-users-build-")
        copy = Path(self._staging.name, "openapi.yaml")
        shutil.copyfile(Path(self.root, "openapi.yaml"), copy)
        build_data["force_include"][str(copy)] = SUITE_SPEC

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if self._staging is not None:
            self._staging.cleanup()
