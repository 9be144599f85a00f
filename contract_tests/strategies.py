"""Testing strategies for Hypothesis-based tests: invitations as the generated client builds them."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from deployhq_client.models import UserInvitation
from deployhq_client.types import UNSET

from .hooks import unique_address
from .spec import FLAGS, TIME_ZONES

# Names as people write them: any printable text, at least one non-space character, within maxLength.
names = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), min_size=1, max_size=60).filter(
    lambda s: s.strip() != ""
)


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The value, or UNSET: the client then leaves the key out and the server's default applies."""
    return st.one_of(st.just(UNSET), strategy)


@st.composite
def invitations(draw: st.DrawFn, email_domain: str = "example.com") -> UserInvitation:
    """A valid invitation with a fresh address and a random subset of the optional fields."""
    return UserInvitation(
        first_name=draw(names),
        email_address=unique_address(email_domain),
        last_name=draw(optional(names)),
        time_zone=draw(optional(st.sampled_from(TIME_ZONES))),
        **{flag: draw(optional(st.booleans())) for flag in FLAGS},
    )
