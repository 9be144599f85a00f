"""scripts/regenerate.py with the real pinned generator: drift is caught, a refused spec changes nothing.

Every test works on copies in tmp_path (through --spec/--output), never on the repository's generated/.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "regenerate.py"
_spec = importlib.util.spec_from_file_location("regenerate", SCRIPT)
assert _spec
assert _spec.loader
regenerate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(regenerate)

pytestmark = pytest.mark.slow  # each test runs openapi-python-client (about 1.5 s)


def tree_hash(root: Path) -> str:
    """A digest of every path and every byte under *root*, caches excluded."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if set(path.relative_to(root).parts) & set(regenerate.IGNORED):
            continue
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        if path.is_file():
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


@pytest.fixture
def generated(tmp_path) -> Path:
    """A copy of the repository's generated/ to check or overwrite."""
    copy = tmp_path / "generated"
    shutil.copytree(ROOT / "generated", copy, ignore=shutil.ignore_patterns(*regenerate.IGNORED))
    return copy


@pytest.fixture
def spec_copy(tmp_path) -> Path:
    """A copy of openapi.yaml to edit."""
    copy = tmp_path / "openapi.yaml"
    shutil.copyfile(ROOT / "openapi.yaml", copy)
    return copy


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """The script as CI runs it, in a separate interpreter."""
    command = [sys.executable, str(SCRIPT), *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)


def test_check_passes_on_the_clean_tree(generated):
    """--check exits 0 when generated/ is what the pinned generator makes of openapi.yaml."""
    result = run("--check", "--output", generated)
    assert (result.returncode, result.stdout) == (0, "generated/ matches openapi.yaml.\n")


def test_check_names_every_hand_edit(generated, capsys):
    """--check exits 1 and names a changed, an added and a removed file in generated/."""
    package = generated / "deployhq_client"
    with (package / "models" / "user.py").open("a", encoding="utf-8") as file:
        file.write("# a hand edit\n")
    (package / "extras.py").write_text("HELPER = 1\n", encoding="utf-8")
    (package / "api" / "users" / "get_user.py").unlink()
    code = regenerate.main(["--check", "--output", str(generated)])
    out = capsys.readouterr().out
    named = [
        "changed: deployhq_client/models/user.py",
        "-# a hand edit",  # the diff runs from generated/ to what the generator makes
        "not produced by the generator: deployhq_client/extras.py",
        "missing from generated/: deployhq_client/api/users/get_user.py",
        "(3 difference(s))",
    ]
    assert (1, named) == (code, [line for line in named if line in out])


def test_check_catches_a_spec_edit_without_regeneration(generated, spec_copy, capsys):
    """A spec edit that was not regenerated makes --check fail, naming the affected file."""
    spec_copy.write_text(
        spec_copy.read_text(encoding="utf-8").replace("summary: Invite a user", "summary: Invite a person"),
        encoding="utf-8",
    )
    code = regenerate.main(["--check", "--spec", str(spec_copy), "--output", str(generated)])
    out = capsys.readouterr().out
    assert (
        code, "changed: deployhq_client/api/users/create_user.py" in out, "+    \"\"\"Invite a person" in out
    ) == (1, True, True)  # fmt: skip


def broken_yaml(text: str) -> str:
    return text.replace("  /users:\n", "  /users:\n   oops: [\n", 1)


def broken_ref(text: str) -> str:
    return text.replace('$ref: "#/components/schemas/UserInvitation"', '$ref: "#/components/schemas/Nobody"', 1)


def xml_only(text: str) -> str:
    """The 200 of listUsers as application/xml only: the generator drops the response with a warning."""
    document = yaml.safe_load(text)
    document["paths"]["/users"]["get"]["responses"]["200"]["content"] = {"application/xml": {"schema": {}}}
    return yaml.safe_dump(document, sort_keys=False)


@pytest.mark.parametrize(
    ("breakage", "named"),
    [
        (broken_yaml, "Invalid YAML"),
        (broken_ref, "#/components/schemas/Nobody"),
        (xml_only, "Unsupported content_type application/xml"),
    ],
    ids=["yaml-syntax", "broken-ref", "generator-warning"],
)
def test_a_refused_spec_changes_nothing(generated, spec_copy, breakage, named):
    """A spec the generator refuses or warns about exits 2, names the problem, and leaves the output byte for byte."""
    spec_copy.write_text(breakage(spec_copy.read_text(encoding="utf-8")), encoding="utf-8")
    before = tree_hash(generated.parent)
    result = run("--spec", spec_copy, "--output", generated)
    assert (2, True, True, before) == (
        result.returncode, named in result.stderr, "generated/ was left untouched." in result.stderr,
        tree_hash(generated.parent),
    )  # fmt: skip


def with_change_property(spec: Path, name: str, schema: dict[str, object]) -> None:
    """Add a property to the spec's UserChanges, in place."""
    document = yaml.safe_load(spec.read_text(encoding="utf-8"))
    document["components"]["schemas"]["UserChanges"]["properties"][name] = schema
    spec.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def test_a_new_field_becomes_a_typed_keyword(generated, spec_copy, capsys):
    """A property added to UserChanges is stale in typed_dicts.py until regenerated, then a typed key of it."""
    with_change_property(spec_copy, "can_manage_servers", {"type": "boolean"})
    stale = regenerate.main(["--check", "--spec", str(spec_copy), "--output", str(generated)])
    out = capsys.readouterr().out
    written = regenerate.main(["--spec", str(spec_copy), "--output", str(generated)])
    lines = (generated / "deployhq_client" / "typed_dicts.py").read_text(encoding="utf-8").splitlines()
    assert (1, True, 0, ["    all_projects_allowed: bool", "    can_manage_servers: bool"]) == (
        stale, "changed: deployhq_client/typed_dicts.py" in out, written, lines[-2:]
    )  # fmt: skip


def test_a_field_it_cannot_type_is_refused(generated, spec_copy):
    """A UserChanges property that is no JSON scalar nor $ref exits 2 naming it, and leaves the output as it was."""
    with_change_property(spec_copy, "tags", {"type": "array", "items": {"type": "string"}})
    before = tree_hash(generated.parent)
    result = run("--spec", spec_copy, "--output", generated)
    assert (2, True, before) == (result.returncode, "UserChanges.tags" in result.stderr, tree_hash(generated.parent))


def test_regeneration_is_idempotent(generated, capsys):
    """Regenerating twice in a row writes the committed tree both times."""
    committed = tree_hash(generated)
    first = regenerate.main(["--output", str(generated)])
    after_first = tree_hash(generated)
    second = regenerate.main(["--output", str(generated)])
    assert (0, committed, 0, committed) == (first, after_first, second, tree_hash(generated))
    assert sorted(path.name for path in generated.parent.iterdir() if path.name.startswith(".")) == []


def refusal(output: str | Path, cwd: Path | None = None) -> tuple[int, str]:
    """The exit code and the first line of stderr of a regeneration into *output*."""
    command = [sys.executable, str(SCRIPT), "--output", str(output)]
    result = subprocess.run(command, capture_output=True, text=True, check=False, timeout=120, cwd=cwd)
    return result.returncode, result.stderr.splitlines()[0] if result.stderr else ""


@pytest.mark.parametrize(
    ("foreign", "named"),
    [
        ("notes.txt", "notes.txt"),
        ("deployhq_client_old/__init__.py", "deployhq_client_old/"),
        (".gitkeep", ".gitkeep"),
    ],
    ids=["a file beside the package", "another folder beside it", "a dotfile"],
)
def test_a_folder_holding_more_than_a_generation_is_refused(generated, foreign, named):
    """An output folder with anything beside deployhq_client/ exits 2, naming it, and keeps every byte."""
    (generated / foreign).parent.mkdir(parents=True, exist_ok=True)
    (generated / foreign).write_text("someone's work\n", encoding="utf-8")
    before = tree_hash(generated.parent)

    code, line = refusal(generated)

    assert (2, before) == (code, tree_hash(generated.parent))
    assert (
        f"error: --output {generated} holds more than a generated client ({named}): scripts/regenerate.py replaces "
        "the whole folder, so it writes only into an empty folder or one holding deployhq_client/ alone; "
        "nothing was written."
    ) == line


def test_the_current_folder_is_refused_without_a_traceback(tmp_path):
    """`--output .` in a folder with other files is refused like any other folder (it was a ValueError)."""
    (tmp_path / "README.md").write_text("# a project\n", encoding="utf-8")

    code, line = refusal(".", cwd=tmp_path)

    assert (2, True, ["README.md"]) == (code, "holds more than a generated client (README.md)" in line,
                                        [path.name for path in tmp_path.iterdir()])  # fmt: skip


def test_a_folder_without_the_package_is_refused(tmp_path):
    """A folder whose deployhq_client/ has no __init__.py is not a previous generation: refused, kept."""
    (tmp_path / "out" / "deployhq_client").mkdir(parents=True)
    (tmp_path / "out" / "deployhq_client" / "data.csv").write_text("a,b\n", encoding="utf-8")

    assert (2, True) == (
        refusal(tmp_path / "out")[0],
        (tmp_path / "out" / "deployhq_client" / "data.csv").is_file(),
    )


def test_a_file_is_refused(tmp_path):
    """`--output` naming a file exits 2 saying it is not a folder, and leaves the file."""
    (tmp_path / "generated").write_text("not a folder\n", encoding="utf-8")

    assert (2, f"error: --output {tmp_path / 'generated'} is not a folder; nothing was written.") == refusal(
        tmp_path / "generated"
    )
    assert "not a folder\n" == (tmp_path / "generated").read_text(encoding="utf-8")


@pytest.mark.parametrize("exists", [True, False], ids=["empty", "missing"])
def test_an_empty_or_missing_folder_gets_the_generation(tmp_path, exists):
    """An empty folder, or one that does not exist yet, receives deployhq_client/ and --check then passes on it."""
    output = tmp_path / "out"
    if exists:
        output.mkdir()

    code, _ = refusal(output)

    assert (0, ["deployhq_client"], 0) == (
        code,
        [path.name for path in output.iterdir()],
        regenerate.main(["--check", "--output", str(output)]),
    )
