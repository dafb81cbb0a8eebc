"""IPv4 and IPv6 addresses, validated by :mod:`ipaddress`."""

from __future__ import annotations

import ipaddress

from textsynth.pii.recognizers.base import Pattern, PatternRecognizer
from textsynth.registry import recognizers


@recognizers.register()
class IpRecognizer(PatternRecognizer):
    """Dotted IPv4 and colon IPv6 addresses (compressed forms included)."""

    name = "ip"
    entity = "IP_ADDRESS"
    PATTERNS = (
        Pattern("ipv4", r"\d(?<![\w.]\d)\d{0,2}\.(?:\d{1,3}\.){2}\d{1,3}(?![\w]|\.\d)", 0.6),
        Pattern(
            "ipv6",
            r"(?<![\w:])(?:[0-9A-Fa-f]{1,4}:){1,7}(?::|(?::[0-9A-Fa-f]{1,4}){1,7}|[0-9A-Fa-f]{1,4})"
            r"(?![\w:])",
            0.6,
            trigger=":",
        ),
    )
    context = ("ip", "address", "server", "router", "host", "adresse")

    def validate(self, match: str) -> bool | None:  # noqa: D102
        try:
            addr = ipaddress.ip_address(match)
        except ValueError:
            return False
        if addr.version == 6 and match.count(":") < 2:
            return False
        return True if addr.version == 6 or not match.startswith("0") else None
