"""deployhq_users/__init__.py: the public surface, and the generated package it wraps."""

from __future__ import annotations

import importlib
import pkgutil
import re

import deployhq_users
from deployhq_client.api import users as generated_users
from deployhq_users import _connect, _errors, _users


def test_all_lists_every_public_name():
    """__all__ holds each public name of the package exactly once, so nothing is exported by accident."""
    public = {name for name in vars(deployhq_users) if not name.startswith("_")}
    assert sorted(public) == sorted(deployhq_users.__all__)
    assert len(set(deployhq_users.__all__)) == len(deployhq_users.__all__)


def test_the_package_reexports_its_private_modules():
    """The package's __all__ is exactly the union of its private modules' __all__."""
    assert sorted({*_connect.__all__, *_errors.__all__, *_users.__all__}) == sorted(deployhq_users.__all__)


def test_generated_operations_match_the_spec(spec):
    """deployhq_client.api.users has one module per operationId in openapi.yaml, each with sync and async calls."""
    operation_ids = {
        operation["operationId"]
        for path in spec["paths"].values()
        for operation in path.values()
        if isinstance(operation, dict) and "operationId" in operation
    }
    expected = sorted(re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower() for name in operation_ids)
    modules = sorted(module.name for module in pkgutil.iter_modules(generated_users.__path__))
    assert expected == modules
    callables = {"sync_detailed", "asyncio_detailed"}
    assert {name: callables for name in modules} == {
        name: callables & set(vars(importlib.import_module(f"{generated_users.__name__}.{name}"))) for name in modules
    }
