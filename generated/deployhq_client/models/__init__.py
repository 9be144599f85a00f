"""Contains all the data models used in inputs/outputs"""

from .create_user_request import CreateUserRequest
from .deleted import Deleted
from .error import Error
from .time_zone import TimeZone
from .user import User
from .user_invitation import UserInvitation
from .validation_errors import ValidationErrors

__all__ = (
    "CreateUserRequest",
    "Deleted",
    "Error",
    "TimeZone",
    "User",
    "UserInvitation",
    "ValidationErrors",
)
