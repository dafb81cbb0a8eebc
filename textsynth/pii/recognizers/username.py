"""Usernames and handles: after a cue word (``username``, ``login``, ``identifiant``,
``Benutzername``), ``@handles``, and letters+digits shapes (``cminh730``) near such a cue."""

from __future__ import annotations

import re

from textsynth.pii.recognizers.base import Pattern, PatternRecognizer
from textsynth.registry import recognizers

_CUES = (
    r"(?:user ?name|user[ -]?id|login(?: name| id)?|handle|screen ?name|gamertag|account name|"
    r"nom d'utilisateur|identifiant|pseudo|benutzername|benutzer(?:kennung)?|nutzername|"
    r"anmeldename)"
)


@recognizers.register()
class UsernameRecognizer(PatternRecognizer):
    """A login name after a cue, an ``@handle``, or a letters+digits token near a cue."""

    name = "username"
    entity = "USERNAME"
    PATTERNS = (
        Pattern(
            "cued",
            rf"\b{_CUES}\s*(?:is|was|est|ist|:|=|c'est|lautet)?\s*(?:@)?"
            r"(?P<pii>(?=[\w.-]*(?:\d|_|\.\w))[A-Za-z][\w.-]{2,30}[A-Za-z0-9])(?![\w@-])",
            0.7,
            re.IGNORECASE,
            hints=(
                "user",
                "login",
                "handle",
                "screen",
                "gamertag",
                "account name",
                "utilisateur",
                "identifiant",
                "pseudo",
                "benutzer",
                "nutzername",
                "anmeldename",
            ),
        ),
        Pattern(
            "handle",
            r"(?<![\w@.])@(?P<pii>[A-Za-z][\w.]{2,29}[A-Za-z0-9_])(?![\w@.-])",
            0.6,
            trigger="@",
        ),
        Pattern(
            "shape",
            r"(?<![\w@.-])(?P<pii>[a-z][a-z]{1,20}[._]?[a-z]{0,12}[_.]?\d{1,5})(?![\w@-]|\.\w)",
            0.2,
            trigger=r"\d(?:(?<=[a-z]\d)|(?<=[a-z][._]\d))",  # "x1", "x_1"; led by the digit
        ),
    )
    context = (
        "username",
        "user",
        "user id",
        "userid",
        "handle",
        "login",
        "account",
        "identifiant",
        "utilisateur",
        "pseudo",
        "benutzername",
        "benutzer",
        "nutzername",
        "profile",
        "forum",
    )
