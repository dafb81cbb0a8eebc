"""Numeric dates (the NER model finds written ones)."""

from __future__ import annotations

from textsynth.pii.recognizers.base import Pattern, PatternRecognizer
from textsynth.registry import recognizers


@recognizers.register()
class DateRecognizer(PatternRecognizer):
    """``12/03/1984``, ``1984-03-12``, ``12.03.1984`` (day/month values checked)."""

    name = "date"
    entity = "DATE"
    PATTERNS = (
        Pattern("dmy", r"\d(?<![\d/.-]\d)\d?([/.-])\d{1,2}\1(?:\d{4}|\d{2})(?![\d/.-]|\.\d)", 0.6),
        Pattern("iso", r"\d(?<![\d/.-]\d)\d{3}-\d{2}-\d{2}(?![\d/-])", 0.6),
    )
    context = ("born", "birth", "date", "dob", "né", "née", "naissance", "on")

    def validate(self, match: str) -> bool | None:  # noqa: D102
        parts = [int(p) for p in match.replace("/", "-").replace(".", "-").split("-")]
        if len(str(parts[0])) == 4 or match[:4].isdigit():
            parts = [parts[2], parts[1], parts[0]]
        a, b = parts[0], parts[1]
        if not (1 <= a <= 31 and 1 <= b <= 31 and (a <= 12 or b <= 12)):
            return False
        return None
