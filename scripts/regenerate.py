"""Regenerate generated/deployhq_client from openapi.yaml, or check that it is up to date.

Usage:
    python scripts/regenerate.py           # replace generated/ wholesale
    python scripts/regenerate.py --check   # exit 1, listing the differences, if generated/ is stale
    --output DIR writes (or checks) another folder: it must be missing, empty or hold a previous generation.

The generator (openapi-python-client) and its ruff post-hooks are pinned in pyproject.toml's
`regen` group; run this through `nox -s regenerate` / `nox -s check_generated` to get them.
Generation always happens in a temporary directory, so a spec the generator refuses (bad YAML,
a broken $ref, any generator warning) leaves generated/ exactly as it was.

Beside the generator's output it writes `typed_dicts.py`: a TypedDict per request schema in TYPED_DICTS, so
that keyword arguments (`update_user(**changes)`) are typed from the spec and not spelled again by hand.
"""

from __future__ import annotations

import argparse
import difflib
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ruamel.yaml import YAML  # the pinned generator's own YAML reader, so the regen group needs nothing more

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "openapi.yaml"
CONFIG = ROOT / "scripts" / "generator-config.yaml"
GENERATED = ROOT / "generated"
PACKAGE = "deployhq_client"  # repeated as package_name_override in generator-config.yaml
IGNORED = ["__pycache__", ".ruff_cache", ".mypy_cache"]
# components.schemas name -> the TypedDict written for it into deployhq_client/typed_dicts.py, every key optional.
TYPED_DICTS = {"UserChanges": "UserChangesDict"}
_JSON_TYPES = {"string": "str", "boolean": "bool", "integer": "int", "number": "float"}
_REF = "#/components/schemas/"


class RegenerationError(Exception):
    """The generator refused the spec or failed; nothing was written."""


def generate(spec: Path, into: Path) -> Path:
    """Run the pinned generator on *spec*, writing a fresh tree under *into*; return that tree."""
    package_dir = into / PACKAGE
    env = dict(os.environ)
    # The post-hooks call `ruff` by name: make it the pinned ruff installed beside this interpreter.
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    command = [
        sys.executable, "-m", "openapi_python_client", "generate",
        "--path", str(spec),
        "--config", str(CONFIG),
        "--meta", "none",
        "--output-path", str(package_dir),
        "--fail-on-warning",
    ]  # fmt: skip
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not (package_dir / "__init__.py").is_file():
        output = (result.stdout + result.stderr).strip()
        raise RegenerationError(f"openapi-python-client refused {spec.name} (exit {result.returncode}):\n{output}")
    typed = package_dir / "typed_dicts.py"
    typed.write_text(typed_dicts_module(spec), encoding="utf-8")
    # The generator's own formatting post-hook, so the file reads like the rest of the package.
    fmt = [sys.executable, "-m", "ruff", "format", str(typed), "--isolated", "--no-cache", "--target-version=py311"]
    formatted = subprocess.run(fmt, env=env, capture_output=True, text=True, check=False)
    if formatted.returncode != 0:
        raise RegenerationError(f"ruff could not format typed_dicts.py:\n{formatted.stderr.strip()}")
    return into


def typed_dicts_module(spec: Path) -> str:
    """The source of typed_dicts.py: for each schema of TYPED_DICTS, a `TypedDict(total=False)` of its properties.

    A property is a JSON scalar (str, bool, int, float) or a $ref to another schema, typed as the generated model of
    that name; anything else is refused, so a new kind of field cannot be typed wrongly in silence.
    """
    schemas = YAML(typ="safe").load(spec.read_text(encoding="utf-8"))["components"]["schemas"]
    models: set[str] = set()
    classes: list[str] = []
    for schema_name, class_name in TYPED_DICTS.items():
        schema = schemas.get(schema_name)
        if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
            raise RegenerationError(f"{spec.name}: components.schemas.{schema_name} has no properties to type")
        lines: list[str] = []
        for name, prop in schema["properties"].items():
            ref = prop.get("$ref", "")
            if ref.startswith(_REF):
                kind = ref.removeprefix(_REF)
                models.add(kind)
            elif prop.get("type") in _JSON_TYPES:
                kind = _JSON_TYPES[prop["type"]]
            else:
                raise RegenerationError(
                    f"{spec.name}: {schema_name}.{name} is neither a JSON scalar nor a $ref; "
                    f"scripts/regenerate.py cannot type it for {class_name}"
                )
            lines.append(f"    {name}: {kind}")
        doc = f"The properties of the spec's `{schema_name}`, every key optional."
        classes.append(f'class {class_name}(TypedDict, total=False):\n    """{doc}"""\n\n' + "\n".join(lines))
    imports = "".join(f"from .models import {model}\n" for model in sorted(models))
    body = "\n\n\n".join(classes)
    names = ", ".join(f'"{name}"' for name in TYPED_DICTS.values())
    return (
        f'"""TypedDicts of request schemas, for typed keyword arguments. Written by scripts/regenerate.py from the '
        f'spec."""\n\nfrom typing import TypedDict\n\n{imports}\n__all__ = [{names}]\n\n\n{body}\n'
    )


def differences(expected: Path, actual: Path) -> list[str]:
    """Human-readable differences between two trees: missing, extra and changed files."""
    found: list[str] = []

    def walk(cmp: filecmp.dircmp[str], prefix: str) -> None:
        found.extend(f"missing from generated/: {prefix}{name}" for name in sorted(cmp.left_only))
        found.extend(f"not produced by the generator: {prefix}{name}" for name in sorted(cmp.right_only))
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        for name in sorted(mismatch + errors):
            left = Path(cmp.left, name).read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
            right = Path(cmp.right, name).read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
            diff = difflib.unified_diff(
                right, left, fromfile=f"generated/{prefix}{name}", tofile=f"regenerated/{prefix}{name}"
            )
            found.append(f"changed: {prefix}{name}\n" + "".join(diff).rstrip())
        for name, sub in sorted(cmp.subdirs.items()):
            walk(sub, f"{prefix}{name}/")

    walk(filecmp.dircmp(expected, actual, ignore=IGNORED), "")
    return found


def replace_tree(new: Path, target: Path) -> None:
    """Swap *target* for a copy of *new*, never leaving *target* half-written."""
    staging = target.with_name(f".{target.name}.new")
    old = target.with_name(f".{target.name}.old")
    for leftover in (staging, old):
        shutil.rmtree(leftover, ignore_errors=True)
    shutil.copytree(new, staging, ignore=shutil.ignore_patterns(*IGNORED))
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def not_a_generation(output: Path) -> str | None:
    """Why regenerating would destroy something in *output*, or None when it is missing, empty or a generation.

    The tree is replaced wholesale, so anything but a previous generation (deployhq_client/ with its
    __init__.py, and caches) would be lost with it.
    """
    if not output.exists():
        return None
    if not output.is_dir():
        return f"--output {output} is not a folder; nothing was written."
    package = output / PACKAGE
    others = sorted(
        f"{path.name}/" if path.is_dir() else path.name
        for path in output.iterdir()
        if path.name not in IGNORED and not (path == package and (package / "__init__.py").is_file())
    )
    if not others:
        return None
    listed = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
    return (
        f"--output {output} holds more than a generated client ({listed}): scripts/regenerate.py replaces the "
        f"whole folder, so it writes only into an empty folder or one holding {PACKAGE}/ alone; nothing was written."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate generated/ from openapi.yaml.")
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if generated/ is stale")
    parser.add_argument("--spec", type=Path, default=SPEC, help="the OpenAPI document (default: openapi.yaml)")
    parser.add_argument(
        "--output", type=Path, default=GENERATED, help="the tree to write or check (default: generated/)"
    )
    args = parser.parse_args(argv)
    if not args.spec.is_file():
        print(f"error: no spec at {args.spec}", file=sys.stderr)
        return 2
    if not args.check:
        problem = not_a_generation(args.output)
        if problem is not None:
            print(f"error: {problem}", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory(prefix="regenerate-") as tmp:
        try:
            fresh = generate(args.spec, Path(tmp))
        except RegenerationError as error:
            print(f"error: {error}\n{args.output.name}/ was left untouched.", file=sys.stderr)
            return 2
        if args.check:
            if not args.output.is_dir():
                print(f"{args.output.name}/ does not exist; run scripts/regenerate.py", file=sys.stderr)
                return 1
            found = differences(fresh, args.output)
            if found:
                print("\n".join(found))
                print(
                    f"\n{args.output.name}/ is stale ({len(found)} difference(s)): "
                    "run `nox -s regenerate` and commit it together with the spec."
                )
                return 1
            print(f"{args.output.name}/ matches {args.spec.name}.")
            return 0
        # Absolute: `--output .` has no name to put the staging folder beside.
        replace_tree(fresh, args.output.resolve())
    print(f"Regenerated {args.output.name}/{PACKAGE} from {args.spec.name}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
