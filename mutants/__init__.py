"""Deliberately broken variants of the reference server, each breaking exactly one promise of openapi.yaml.

`nox -s teeth` runs the contract suite against each one and checks that it fails (and passes against
the faithful server). `python -m mutants NAME --port 8765` serves one variant to try by hand.
"""

from .catalogue import CATALOGUE, Variant, build

__all__ = ["CATALOGUE", "Variant", "build"]
