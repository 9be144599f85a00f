"""Hypothesis strategies for the whole input space the spec allows, awkward corners included.

Schemathesis' own generation rarely reaches them (see docs/generated-inputs.md): names at their exact
maximum length, white space around and inside, decomposed Unicode, characters some layer escapes or strips
(markup, quotes, backslashes, percent signs, control and format characters), mixed-case addresses with a
64-character local part, every family of time zones. Every value drawn here is valid, so it must come back byte
for byte.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from hypothesis import strategies as st

from deployhq_client.models import UserInvitation
from deployhq_client.types import UNSET

from .hooks import sized_address, unique_address
from .spec import FLAGS, MAX_LENGTHS, TIME_ZONES, is_blank

__all__ = [
    "SPECIAL_NAMES",
    "addresses",
    "changes",
    "invitation_dicts",
    "invitations",
    "last_names",
    "names",
    "time_zones",
]

NAME_LENGTH = MAX_LENGTHS["first_name"]
ADDRESS_LENGTH = MAX_LENGTHS["email_address"]
LOCAL_PART_LENGTH = 64  # RFC 5321, and the spec's email_address description

_characters = st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"])
_spaces = st.sampled_from([" ", "  ", "\t", "\u00a0", "\u3000"])
_plain = st.text(_characters, min_size=1, max_size=40).filter(lambda s: not is_blank(s))


@st.composite
def _padded(draw: st.DrawFn) -> str:
    """A name with white space before, inside and after it."""
    return draw(_spaces) + draw(_plain) + draw(_spaces) + draw(_plain) + draw(_spaces)


@st.composite
def _decomposed(draw: st.DrawFn) -> str:
    """A name in Unicode's decomposed form (NFD), which a server must not compose."""
    name = unicodedata.normalize("NFD", draw(st.sampled_from(["Amélie", "Zoë Łukasiewicz", "Ñúñez", "Çelik", "Åsa"])))
    return name + draw(st.sampled_from(["", " ", "-Sø"]))


@st.composite
def _at_length(draw: st.DrawFn) -> str:
    """A name of exactly the maximum length, or of one character."""
    filler = draw(st.sampled_from(["a", "é", "李", "😀"]))
    return filler * draw(st.sampled_from([NAME_LENGTH, 1]))


# Characters some layer treats specially (an HTML template, a SQL or JSON escaper, a printf or URL decoder, a
# "sanitizer" of invisible characters). The spec allows them all in a name, so each must come back byte for byte.
SPECIAL_NAMES: dict[str, tuple[str, str]] = {
    "markup": ("<b>Ada</b> & <i>co</i>", "<script>alert(1)</script>&amp;&lt;"),
    "quotes and backslashes": ('Ada "The Countess"', "O'Brien \\ D\\'Arcy \\n \\u00e9"),
    "percent signs": ("Ada 100%", "%s %d %% %20 %00 %{name}"),
    "control characters": ("Ada\x01\x1b[31m", "Love\x7flace\x08\x0b\x0c\r\n"),
    "format characters": ("Ada\u200b\u200d\u00ad", "\ufeffLove\u202elace\u2060\u2066x\u2069"),
}
_special_pieces = st.sampled_from([piece for pair in SPECIAL_NAMES.values() for piece in pair])


@st.composite
def _special(draw: st.DrawFn) -> str:
    """A name made of, or salted with, characters some layer escapes, strips or decodes."""
    return draw(st.one_of(st.just(""), _plain)) + draw(_special_pieces) + draw(st.one_of(st.just(""), _plain))


names = st.one_of(_plain, _padded(), _decomposed(), _at_length(), _special()).filter(
    lambda s: not is_blank(s) and len(s) <= NAME_LENGTH
)
# A last name has no pattern: empty and blank ones are valid values, to come back as sent (not as null).
last_names = st.one_of(names, st.sampled_from(["", " ", "\t "]))


@st.composite
def addresses(draw: st.DrawFn, domain: str = "example.com") -> str:
    """A fresh address in *domain*: mixed letter case, a `+` tag, or the longest local part and address allowed."""
    shape = draw(st.sampled_from(["plain", "upper", "title", "tagged", "longest local", "longest address"]))
    if shape == "longest address":
        return sized_address(ADDRESS_LENGTH, local_length=LOCAL_PART_LENGTH, domain=domain)
    local = unique_address(domain).partition("@")[0]
    if shape == "upper":
        local = local.upper()
    elif shape == "title":
        local = "Ada." + local.title()
    elif shape == "tagged":
        local = f"{local}+{draw(st.sampled_from(['Onboarding', 'x', 'a.b-c_d']))}"
    elif shape == "longest local":
        local = local.ljust(LOCAL_PART_LENGTH, "X")
    return f"{local}@{domain}"


def _family(zone: str) -> str:
    return zone.partition("/")[0] if "/" in zone else "(no area)"


_FAMILIES: dict[str, list[str]] = {}
for _zone in TIME_ZONES:
    _FAMILIES.setdefault(_family(_zone), []).append(_zone)
# Each family (Africa, America, ..., Etc, the legacy names without an area) as likely as any other.
time_zones = st.sampled_from(sorted(_FAMILIES)).flatmap(lambda family: st.sampled_from(_FAMILIES[family]))


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The value, or UNSET: the client then leaves the key out and the server's default applies."""
    return st.one_of(st.just(UNSET), strategy)


@st.composite
def invitation_dicts(draw: st.DrawFn, email_domain: str = "example.com") -> dict[str, Any]:
    """A valid `user` object of an invitation, with a random subset of the optional fields."""
    user: dict[str, Any] = {"first_name": draw(names), "email_address": draw(addresses(email_domain))}
    for name, strategy in (("last_name", last_names), ("time_zone", time_zones), *((f, st.booleans()) for f in FLAGS)):
        if draw(st.booleans()):
            user[name] = draw(strategy)
    return user


@st.composite
def invitations(draw: st.DrawFn, email_domain: str = "example.com") -> UserInvitation:
    """The same, as the generated client's model."""
    return UserInvitation.from_dict(draw(invitation_dicts(email_domain)))


@st.composite
def changes(draw: st.DrawFn, email_domain: str = "example.com") -> dict[str, Any]:
    """A valid `user` object of an update: any subset of the fields, possibly none."""
    everything = draw(invitation_dicts(email_domain))
    keep = draw(st.sets(st.sampled_from(sorted(everything))))
    return {name: value for name, value in everything.items() if name in keep}
