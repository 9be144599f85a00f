from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.time_zone import TimeZone, check_time_zone
from ..types import UNSET, Unset

T = TypeVar("T", bound="UserInvitation")


@_attrs_define
class UserInvitation:
    """Who to invite and what they may do. Keys not listed here are ignored.
    No flag has a `default:` in this schema on purpose: the server applies the default, so a
    client that omits a flag must not send it.

        Attributes:
            first_name (str): Required, and not blank (at least one character that is not white space).
            email_address (str): Required. An ASCII mailbox, checked for syntax only (no DNS lookup). Beyond `format:
                email`,
                these are refused with 422 `is invalid`, because no invitation could reach them: non-ASCII
                addresses, local parts over 64 characters or in quotes, IP-literal and dotless domains, and the
                special-use names `.invalid`, `.localhost`, `.local`, `.onion` and `.arpa` (`.test` is allowed).
                A domain label that starts with the IDNA prefix in another letter case than `xn--` (`XN--`,
                `Xn--`, as in `a@example.XN--P1AI`) is refused too: JSON Schema `format: email` checkers read
                only a lower-case `xn--` as that prefix, so such an address could not be answered back valid.
                Must not be the address of an existing user of the account, compared case-insensitively.
            last_name (str | Unset): Optional. When omitted the user's `last_name` is `null`.
            time_zone (TimeZone | Unset): An IANA time zone name, as in the tz database (here tzdata 2026f); `Etc/UTC` when
                omitted.
                Any other value is refused with 422 `is not included in the list`.
                The list is kept by `scripts/time_zones.py`.
            account_administrator (bool | Unset): Make the user an account administrator. Server default when omitted,
                `false`.
            can_manage_users (bool | Unset): Let the user manage other users. Server default when omitted, `false`.
            can_manage_billing (bool | Unset): Let the user manage billing. Server default when omitted, `false`.
            can_create_projects (bool | Unset): Let the user create projects. Server default when omitted, `false`.
            can_manage_agents (bool | Unset): Let the user manage network agents. Server default when omitted, `false`.
            all_projects_allowed (bool | Unset): Give the user access to every project. Server default when omitted,
                `false`.
    """

    first_name: str
    email_address: str
    last_name: str | Unset = UNSET
    time_zone: TimeZone | Unset = UNSET
    account_administrator: bool | Unset = UNSET
    can_manage_users: bool | Unset = UNSET
    can_manage_billing: bool | Unset = UNSET
    can_create_projects: bool | Unset = UNSET
    can_manage_agents: bool | Unset = UNSET
    all_projects_allowed: bool | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        first_name = self.first_name

        email_address = self.email_address

        last_name = self.last_name

        time_zone: str | Unset = UNSET
        if not isinstance(self.time_zone, Unset):
            time_zone = self.time_zone

        account_administrator = self.account_administrator

        can_manage_users = self.can_manage_users

        can_manage_billing = self.can_manage_billing

        can_create_projects = self.can_create_projects

        can_manage_agents = self.can_manage_agents

        all_projects_allowed = self.all_projects_allowed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "first_name": first_name,
                "email_address": email_address,
            }
        )
        if last_name is not UNSET:
            field_dict["last_name"] = last_name
        if time_zone is not UNSET:
            field_dict["time_zone"] = time_zone
        if account_administrator is not UNSET:
            field_dict["account_administrator"] = account_administrator
        if can_manage_users is not UNSET:
            field_dict["can_manage_users"] = can_manage_users
        if can_manage_billing is not UNSET:
            field_dict["can_manage_billing"] = can_manage_billing
        if can_create_projects is not UNSET:
            field_dict["can_create_projects"] = can_create_projects
        if can_manage_agents is not UNSET:
            field_dict["can_manage_agents"] = can_manage_agents
        if all_projects_allowed is not UNSET:
            field_dict["all_projects_allowed"] = all_projects_allowed

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        first_name = d.pop("first_name")

        email_address = d.pop("email_address")

        last_name = d.pop("last_name", UNSET)

        _time_zone = d.pop("time_zone", UNSET)
        time_zone: TimeZone | Unset
        if isinstance(_time_zone, Unset):
            time_zone = UNSET
        else:
            time_zone = check_time_zone(_time_zone)

        account_administrator = d.pop("account_administrator", UNSET)

        can_manage_users = d.pop("can_manage_users", UNSET)

        can_manage_billing = d.pop("can_manage_billing", UNSET)

        can_create_projects = d.pop("can_create_projects", UNSET)

        can_manage_agents = d.pop("can_manage_agents", UNSET)

        all_projects_allowed = d.pop("all_projects_allowed", UNSET)

        user_invitation = cls(
            first_name=first_name,
            email_address=email_address,
            last_name=last_name,
            time_zone=time_zone,
            account_administrator=account_administrator,
            can_manage_users=can_manage_users,
            can_manage_billing=can_manage_billing,
            can_create_projects=can_create_projects,
            can_manage_agents=can_manage_agents,
            all_projects_allowed=all_projects_allowed,
        )

        user_invitation.additional_properties = d
        return user_invitation

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
