"""Date surrogates: the date moved by a keyed number of days, written the same way."""

from __future__ import annotations

import datetime as dt
import re

from textsynth.pii.surrogates.base import SurrogateContext
from textsynth.pii.surrogates.numbers import fill_like
from textsynth.registry import surrogates

_MONTHS = {
    "en": [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ],
    "fr": [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
}
_DAYS = {
    "en": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"],
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
}


_NUMBERS = {
    "en": [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
    ],
    "fr": [
        "un",
        "deux",
        "trois",
        "quatre",
        "cinq",
        "six",
        "sept",
        "huit",
        "neuf",
        "dix",
        "onze",
        "douze",
    ],
}


def _case(template: str, word: str) -> str:
    if template.isupper():
        return word.upper()
    if template[:1].isupper():
        return word.capitalize()
    return word


@surrogates.register("DATE")
def date(value: str, ctx: SurrogateContext) -> str:
    """Shift numeric and written dates by 1-365 days; other date words get another of their kind."""
    rng = ctx.rng
    shift = dt.timedelta(days=rng.randint(1, 365) * rng.choice((-1, 1)))
    lang = ctx.language if ctx.language in _MONTHS else "en"
    months, days, numbers = _MONTHS[lang], _DAYS[lang], _NUMBERS[lang]

    m = re.fullmatch(r"(\d{1,2})([/.-])(\d{1,2})\2(\d{2}|\d{4})", value)
    if m:
        a, sep, b, y = int(m.group(1)), m.group(2), int(m.group(3)), m.group(4)
        year = int(y) + (0 if len(y) == 4 else 1900 if int(y) > 30 else 2000)
        mdy = a <= 12 and (b > 12 or lang == "en")
        try:
            d = dt.date(year, a, b) if mdy else dt.date(year, b, a)
        except ValueError:
            return fill_like(value, rng)
        n = d + shift
        x, z = (n.month, n.day) if mdy else (n.day, n.month)
        w1, w2 = len(m.group(1)), len(m.group(3))
        yy = f"{n.year:04d}" if len(y) == 4 else f"{n.year % 100:02d}"
        return f"{x:0{w1}d}{sep}{z:0{w2}d}{sep}{yy}"
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    if m:
        try:
            return (dt.date(*map(int, m.groups())) + shift).isoformat()
        except ValueError:
            return fill_like(value, rng)
    low = value.lower()
    # "21 March 2005", "March 21, 2005", "March 2005", "mars 2005"
    words = re.split(r"(\W+)", value)
    out, changed = [], False
    month_shift = rng.randint(1, 11)
    for w in words:
        lw = w.lower()
        if lw in months:
            out.append(_case(w, months[(months.index(lw) + month_shift) % 12]))
            changed = True
        elif lw in days:
            out.append(_case(w, days[(days.index(lw) + rng.randint(1, 6)) % 7]))
            changed = True
        elif lw in numbers:  # "two years" -> "five years"
            out.append(_case(w, numbers[(numbers.index(lw) + rng.randint(1, 11)) % 12]))
            changed = True
        elif w.isdigit() and len(w) == 4:
            out.append(str(int(w) + rng.choice((-3, -2, -1, 1, 2, 3))))
            changed = True
        elif w.isdigit() and len(w) <= 2 and 1 <= int(w) <= 28:
            out.append(str(rng.randint(1, 28)).zfill(len(w)))
            changed = True
        else:
            out.append(w)
    if changed:
        return "".join(out)
    return fill_like(low, rng) if any(c.isdigit() for c in value) else value
