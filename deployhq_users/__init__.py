"""A thin, typed DeployHQ Users API client: the generated `deployhq_client` plus auth, errors and retries.

from deployhq_users import connect, invite_user, update_user
from deployhq_client.models import UserInvitation

with connect() as client:  # DEPLOYHQ_ACCOUNT, DEPLOYHQ_EMAIL, DEPLOYHQ_API_KEY; `with` closes its connections
    user = invite_user(client, UserInvitation(first_name="Jane", email_address="jane@example.com"))
    update_user(client, user.identifier, can_create_projects=True)  # only what is given changes

Every call takes `rate_limit_retries=N` and has an `_async` twin; see `connect` for the client's lifetime.

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

# No `from __future__ import annotations` here: it would export a public name, `annotations`.
from ._connect import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_ANSWER_BYTES,
    DEFAULT_MAX_RETRY_WAIT,
    DEFAULT_TIMEOUT,
    MIN_API_KEY_LENGTH,
    connect,
    resolve_base_url,
)
from ._errors import (
    AlreadyActivatedError,
    APIError,
    AuthenticationError,
    BadRequestError,
    ClientUnusableError,
    ConfigurationError,
    ConnectionFailedError,
    DeadlineExceededError,
    DeployHQError,
    InvalidIdentifierError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RateLimitedError,
    ResponseTooLargeError,
    ServerError,
    UnexpectedResponseError,
    ValidationError,
)
from ._users import (
    UserChangesDict,
    delete_user,
    delete_user_async,
    get_user,
    get_user_async,
    invite_user,
    invite_user_async,
    list_users,
    list_users_async,
    resend_invitation,
    resend_invitation_async,
    update_user,
    update_user_async,
)

__all__ = [
    "DEFAULT_DEADLINE",
    "DEFAULT_MAX_ANSWER_BYTES",
    "DEFAULT_MAX_RETRY_WAIT",
    "DEFAULT_TIMEOUT",
    "MIN_API_KEY_LENGTH",
    "AlreadyActivatedError",
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "ClientUnusableError",
    "ConfigurationError",
    "ConnectionFailedError",
    "DeadlineExceededError",
    "DeployHQError",
    "InvalidIdentifierError",
    "NotFoundError",
    "OutcomeUnknownError",
    "PermissionDeniedError",
    "RateLimitedError",
    "ResponseTooLargeError",
    "ServerError",
    "UnexpectedResponseError",
    "UserChangesDict",
    "ValidationError",
    "connect",
    "delete_user",
    "delete_user_async",
    "get_user",
    "get_user_async",
    "invite_user",
    "invite_user_async",
    "list_users",
    "list_users_async",
    "resend_invitation",
    "resend_invitation_async",
    "resolve_base_url",
    "update_user",
    "update_user_async",
]
