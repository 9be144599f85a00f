"""second_judge.variants: each variant `--variant` accepts really shows Prism a schema fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from mutants.catalogue import CATALOGUE
from second_judge.run import judge
from second_judge.variants import SCHEMA_FAULTS


def test_every_listed_variant_is_in_the_catalogue() -> None:
    """Each name is a broken variant of mutants/, listed once, with the default first."""
    assert (set(), len(SCHEMA_FAULTS), "field-missing") == (
        set(SCHEMA_FAULTS) - set(CATALOGUE),
        len(set(SCHEMA_FAULTS)),
        SCHEMA_FAULTS[0],
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", SCHEMA_FAULTS)
def test_prism_catches_the_variant_as_the_second_judge_runs_it(prism: Path, tmp_path: Path, name: str) -> None:
    """Behind Prism, the suite stopping at its first failure, the variant gives at least one response violation."""
    judgement = judge(name, prism, tmp_path, first_failure=True)

    assert (1, True) == (judgement.suite.code, judgement.prism.response_violations > 0), judgement.suite.output[-2000:]
