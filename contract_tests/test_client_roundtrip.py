"""The same promises, through the generated client: what a developer sends is what the server keeps.

This also proves the client and the spec agree: the client serialises what the spec describes and
parses every answer into its typed models.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deployhq_client.models import User, UserInvitation
from deployhq_contract.api import Api
from deployhq_contract.hooks import unique_address
from deployhq_contract.promises import invitation_promises, same_user, update_promises
from deployhq_contract.strategies import changes, invitations
from deployhq_users import ValidationError, delete_user, get_user, invite_user, resend_invitation, update_user

pytestmark = [pytest.mark.contract_beside, pytest.mark.contract_rank(90)]


def remove(client: Any, user: User) -> None:
    """Remove a user the test made (*user* as last answered); an account administrator loses the flag first."""
    if user.account_administrator:
        update_user(client, user.identifier, account_administrator=False)
    delete_user(client, user.identifier)


@pytest.mark.operation("createUser")
@pytest.mark.operation("getUser")
@settings(max_examples=max(1, settings().max_examples // 2))
@given(data=st.data())
def test_invited_user_equals_what_was_sent_plus_defaults(
    client: Any, target: Any, api: Api, data: st.DataObject
) -> None:
    """The parsed User equals the invitation plus the documented defaults; GET returns the same user."""
    invitation = data.draw(invitations(target.email_domain))
    sent = invitation.to_dict()

    user = invite_user(client, invitation)

    assert [] == invitation_promises(sent, user.to_dict())
    assert [] == same_user(user.to_dict(), get_user(client, user.identifier).to_dict())
    done_with(client, api, user)


def invited(client: Any, api: Api, invitation: UserInvitation) -> User:
    """A user invited through the client; with --live (each invitation an email) one the run holds, read through it."""
    if api.pool is None:
        return invite_user(client, invitation)
    return get_user(client, api.fresh_user()["identifier"])


def done_with(client: Any, api: Api, user: User) -> None:
    """Remove the user; with --live the run's users stay for later promises, and the run removes them at its end."""
    if api.pool is None:
        remove(client, user)


@pytest.mark.operation("createUser")
def test_duplicate_invitation_raises_validation_error(client: Any, target: Any, api: Api) -> None:
    """A second invitation to the same address raises ValidationError naming email_address."""
    first = invited(client, api, UserInvitation(first_name="Ada", email_address=unique_address(target.email_domain)))
    with pytest.raises(ValidationError) as raised:
        invite_user(client, UserInvitation(first_name="Ada", email_address=first.email_address.upper()))

    assert "email_address" in raised.value.errors
    done_with(client, api, first)


@pytest.mark.operation("updateUser")
@settings(max_examples=max(1, settings().max_examples // 2))
@given(data=st.data())
def test_update_through_the_client_changes_only_what_was_named(
    client: Any, target: Any, api: Api, data: st.DataObject
) -> None:
    """`update_user(client, id, **changes)` changes exactly the fields named; a read shows the same user."""
    before = invited(client, api, data.draw(invitations(target.email_domain)))
    changed = data.draw(changes(target.email_domain))

    after = update_user(client, before.identifier, **changed)

    assert [] == update_promises(before.to_dict(), changed, after.to_dict())
    assert [] == same_user(after.to_dict(), get_user(client, before.identifier).to_dict())
    done_with(client, api, after)


@pytest.mark.operation("resendInvitation")
def test_resend_through_the_client_leaves_the_user_as_it_was(client: Any, target: Any, api: Api) -> None:
    """`resend_invitation` of a pending invitation succeeds, and the user reads back unchanged."""
    user = invited(client, api, UserInvitation(first_name="Ada", email_address=unique_address(target.email_domain)))

    resend_invitation(client, user.identifier)

    assert [] == same_user(user.to_dict(), get_user(client, user.identifier).to_dict())
    done_with(client, api, user)
