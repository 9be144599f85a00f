"""The reference server of the DeployHQ Users API: Starlette + SQLite, implementing openapi.yaml exactly.

`create_app()` builds the app, `serve()` runs it in a background thread (with `ConnectionLimits`),
`deployhq-sandbox` runs it from a shell.
`SandboxServer` gives a fresh account per test with an outbox and injected faults (`Controls`); the pytest fixture
`deployhq_sandbox` is that.
`Store`, `Validator`, `Authenticator` and `UsersAPI` are the seams for building deliberately broken variants:
subclass one, override one method, pass it to `create_app(..., <piece>_class=...)`.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from ._app import create_app
from ._auth import Authenticator
from ._config import Account, Accounts
from ._connections import ConnectionLimits
from ._controls import Controls, Email
from ._db import DeleteOutcome, Refusal, Store
from ._fixture import Sandbox, SandboxServer
from ._models import Changes, Invitation, User
from ._routes import UsersAPI
from ._serve import serve
from ._spec import Spec, load_spec
from ._validation import Errors, Validator

__all__ = [
    "Account",
    "Accounts",
    "Authenticator",
    "Changes",
    "ConnectionLimits",
    "Controls",
    "DeleteOutcome",
    "Email",
    "Errors",
    "Invitation",
    "Refusal",
    "Sandbox",
    "SandboxServer",
    "Spec",
    "Store",
    "User",
    "UsersAPI",
    "Validator",
    "create_app",
    "load_spec",
    "serve",
]
