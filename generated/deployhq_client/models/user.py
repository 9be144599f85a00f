from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast
from uuid import UUID

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="User")


@_attrs_define
class User:
    """A user of the account. Servers may add fields; clients keep unknown ones.

    Attributes:
        id (int): Numeric id, increasing in order of creation.
        identifier (UUID): The user's stable identifier, used in `/users/{identifier}`.
        first_name (str):
        last_name (None | str): `null` when the invitation gave none: a decision of this contract (DeployHQ's examples
            always
            show a string; its OpenAPI document types it as a string).
        email_address (str):
        time_zone (None | str): An IANA zone name; `Etc/UTC` when the invitation gave none.
        account_administrator (bool):
        activated (bool): Whether the user has accepted the invitation; always `false` for a new invitation.
        can_manage_users (bool):
        can_manage_billing (bool):
        can_create_projects (bool):
        can_manage_agents (bool):
        all_projects_allowed (bool):
    """

    id: int
    identifier: UUID
    first_name: str
    last_name: None | str
    email_address: str
    time_zone: None | str
    account_administrator: bool
    activated: bool
    can_manage_users: bool
    can_manage_billing: bool
    can_create_projects: bool
    can_manage_agents: bool
    all_projects_allowed: bool
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        identifier = str(self.identifier)

        first_name = self.first_name

        last_name: None | str
        last_name = self.last_name

        email_address = self.email_address

        time_zone: None | str
        time_zone = self.time_zone

        account_administrator = self.account_administrator

        activated = self.activated

        can_manage_users = self.can_manage_users

        can_manage_billing = self.can_manage_billing

        can_create_projects = self.can_create_projects

        can_manage_agents = self.can_manage_agents

        all_projects_allowed = self.all_projects_allowed

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "identifier": identifier,
                "first_name": first_name,
                "last_name": last_name,
                "email_address": email_address,
                "time_zone": time_zone,
                "account_administrator": account_administrator,
                "activated": activated,
                "can_manage_users": can_manage_users,
                "can_manage_billing": can_manage_billing,
                "can_create_projects": can_create_projects,
                "can_manage_agents": can_manage_agents,
                "all_projects_allowed": all_projects_allowed,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls: type[T], src_dict: Mapping[str, Any]) -> T:
        d = dict(src_dict)
        id = d.pop("id")

        identifier = UUID(d.pop("identifier"))

        first_name = d.pop("first_name")

        def _parse_last_name(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        last_name = _parse_last_name(d.pop("last_name"))

        email_address = d.pop("email_address")

        def _parse_time_zone(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        time_zone = _parse_time_zone(d.pop("time_zone"))

        account_administrator = d.pop("account_administrator")

        activated = d.pop("activated")

        can_manage_users = d.pop("can_manage_users")

        can_manage_billing = d.pop("can_manage_billing")

        can_create_projects = d.pop("can_create_projects")

        can_manage_agents = d.pop("can_manage_agents")

        all_projects_allowed = d.pop("all_projects_allowed")

        user = cls(
            id=id,
            identifier=identifier,
            first_name=first_name,
            last_name=last_name,
            email_address=email_address,
            time_zone=time_zone,
            account_administrator=account_administrator,
            activated=activated,
            can_manage_users=can_manage_users,
            can_manage_billing=can_manage_billing,
            can_create_projects=can_create_projects,
            can_manage_agents=can_manage_agents,
            all_projects_allowed=all_projects_allowed,
        )

        user.additional_properties = d
        return user

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
