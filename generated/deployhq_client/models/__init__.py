"""Contains all the data models used in inputs/outputs"""

from .already_activated import AlreadyActivated
from .coded_error import CodedError
from .create_user_request import CreateUserRequest
from .deleted import Deleted
from .error import Error
from .invitation_resent import InvitationResent
from .time_zone import TimeZone
from .update_user_request import UpdateUserRequest
from .user import User
from .user_changes import UserChanges
from .user_invitation import UserInvitation
from .validation_errors import ValidationErrors

__all__ = (
    "AlreadyActivated",
    "CodedError",
    "CreateUserRequest",
    "Deleted",
    "Error",
    "InvitationResent",
    "TimeZone",
    "UpdateUserRequest",
    "User",
    "UserChanges",
    "UserInvitation",
    "ValidationErrors",
)
