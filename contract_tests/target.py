"""Which server the suite judges, with which credentials, and under which safety rails."""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from deployhq_users import resolve_base_url

__all__ = ["Target", "TargetError", "is_loopback"]


class TargetError(Exception):
    """The target or its credentials are missing or unsafe; the run stops before sending anything."""


def is_loopback(base_url: str) -> bool:
    """Whether *base_url* points at this machine (127.0.0.0/8, ::1 or localhost)."""
    host = urlsplit(base_url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Target:
    """A server to judge. `api_key` is kept out of repr: this object appears in pytest's failure output."""

    base_url: str
    email: str
    api_key: str = field(repr=False)
    live: bool = False
    embedded: bool = False
    email_domain: str = "example.com"
    create_budget: int | None = None
    rate_limit: float | None = None  # requests per second

    @property
    def credentials(self) -> tuple[str, str]:
        return (self.email, self.api_key)

    @classmethod
    def external(
        cls,
        base_url: str | None,
        *,
        live: bool,
        email_domain: str,
        create_budget: int | None,
        rate_limit: float | None,
        env: dict[str, str] | None = None,
    ) -> Target | None:
        """The target named by --base-url / DEPLOYHQ_BASE_URL / DEPLOYHQ_ACCOUNT, or None for the embedded server."""
        env = dict(os.environ) if env is None else env
        if not (base_url or env.get("DEPLOYHQ_BASE_URL") or env.get("DEPLOYHQ_ACCOUNT")):
            return None
        url = resolve_base_url(base_url=base_url, env=env)
        if not is_loopback(url) and not live:
            raise TargetError(
                f"{url} is not a loopback address. Every invitation the suite sends there is a real email and a real "
                "user. Add --live (or DEPLOYHQ_CONTRACT_LIVE=1) to run against it with the live safety rails."
            )
        email, api_key = env.get("DEPLOYHQ_EMAIL"), env.get("DEPLOYHQ_API_KEY")
        if not email or not api_key:
            missing = " and ".join(n for n, v in (("DEPLOYHQ_EMAIL", email), ("DEPLOYHQ_API_KEY", api_key)) if not v)
            raise TargetError(f"set {missing}: the suite signs in to {url} as an account administrator")
        return cls(
            base_url=url,
            email=email,
            api_key=api_key,
            live=live,
            email_domain=email_domain,
            create_budget=create_budget,
            rate_limit=rate_limit,
        )
