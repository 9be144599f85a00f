"""Cutting every piece of a credential out of text: the client's error messages and the contract judge's output.

A server can echo a key back whole, in part, or upper-cased, and a library's error or a truncated repr can show part
of it. So not only the key is cut, but every run of text made of `PIECE` characters in a row of it, in any letter
case (DeployHQ's keys are hex: upper-cased, it is still the key). Eight characters of a random 40-character key leave
too little to guess the rest, while shorter pieces would start cutting ordinary words.

One rule for both users of it: the client (`_translate.redact`, which also reads JSON escapes) and the judge
(`deployhq_contract.redact`, which keeps the pieces of a public address).

PYTEST_DONT_REWRITE: library code, its asserts only narrow types (CONTRIBUTING.md, "Assertion rewriting").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

__all__ = ["PIECE", "cut", "pattern", "pieces"]

PIECE = 8


def pieces(secrets: Iterable[str]) -> set[str]:
    """Every `PIECE` characters in a row of each secret (a shorter secret is its own piece)."""
    return {secret[i : i + PIECE] for secret in secrets if secret for i in range(max(1, len(secret) - PIECE + 1))}


def pattern(found: Iterable[str], spell: Callable[[str], str] = re.escape) -> re.Pattern[str] | None:
    """One pattern finding every start of any of *found* (each written as *spell* makes it), overlapping ones
    included, in any letter case; None when there is nothing to find."""
    alternatives = "|".join(spell(piece) for piece in sorted(found, key=lambda piece: (-len(piece), piece)))
    return re.compile(f"(?=({alternatives}))", re.IGNORECASE) if alternatives else None


def cut(text: str, found: re.Pattern[str] | None, replacement: str) -> str:
    """*text* with each run of matches of *found* (overlapping or touching) replaced by one *replacement*."""
    if found is None or not text:
        return text
    spans: list[list[int]] = []
    for match in found.finditer(text):
        start, end = match.start(1), match.end(1)
        if spans and start <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], end)
        else:
            spans.append([start, end])
    if not spans:
        return text
    parts, last = [], 0
    for start, end in spans:
        parts += [text[last:start], replacement]
        last = end
    parts.append(text[last:])
    return "".join(parts)
