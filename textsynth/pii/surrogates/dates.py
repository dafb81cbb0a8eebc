"""Date and time surrogates that keep their form and stay valid.

A date is parsed into its parts (weekday, day, month, year, clock time) wherever they sit in the
value (``Monday, 3 June 2024 at 3:45 PM``, ``lundi 3 mars``, ``14.03.2025``, ``2024-11-30``),
moved by a keyed number of *weeks*, and written back part by part in the same places and the
same forms (digits stay digits with their padding, month names stay names in their language,
case and abbreviation; ordinals keep their suffix). A shift by whole weeks keeps every weekday
true, and every part that is present changes (a date of birth changes as a whole, not only its
month). Clock times move by a keyed number of minutes and stay possible (``12:xx PM`` at most,
``23:59`` at most). Anything that is not a calendar part (``the 60s``, ``this month``) is left
as it is: it identifies no one and rewriting it would change what the text says.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from textsynth.pii.surrogates.base import SurrogateContext
from textsynth.registry import surrogates

__all__ = ["MONTHS", "WEEKDAYS", "date_parts"]

MONTHS: dict[str, list[str]] = {
    "en": (
        "january february march april may june july august september october november december"
    ).split(),
    "fr": (
        "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
    ).split(),
    "de": (
        "januar februar märz april mai juni juli august september oktober november dezember"
    ).split(),
}
_MONTH_ABBR: dict[str, list[str]] = {
    "en": "jan feb mar apr may jun jul aug sep oct nov dec".split(),
    "fr": "janv févr mars avr mai juin juil août sept oct nov déc".split(),
    "de": "jan feb mär apr mai jun jul aug sep okt nov dez".split(),
}
WEEKDAYS: dict[str, list[str]] = {
    "en": "monday tuesday wednesday thursday friday saturday sunday".split(),
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche".split(),
    "de": "montag dienstag mittwoch donnerstag freitag samstag sonntag".split(),
}
# word -> (language, month index 0-11, abbreviated)
_MONTH_WORDS: dict[str, tuple[str, int, bool]] = {}
for _lang in ("de", "fr", "en"):  # English last: it wins for words shared by several
    for _i, _w in enumerate(_MONTH_ABBR[_lang]):
        _MONTH_WORDS[_w] = (_lang, _i, True)
        _MONTH_WORDS[_w.replace("é", "e").replace("û", "u").replace("ä", "a")] = (_lang, _i, True)
    for _i, _w in enumerate(MONTHS[_lang]):
        _MONTH_WORDS[_w] = (_lang, _i, False)
        _MONTH_WORDS[_w.replace("é", "e").replace("û", "u").replace("ä", "a")] = (_lang, _i, False)
_MONTH_WORDS["sept"] = ("en", 8, True)

_TIME = re.compile(
    r"(?<![\d:.,])(?P<h>2[0-4]|[01]?\d)(?:(?P<sep>[:h.])(?P<m>[0-5]\d))?(?::(?P<s>[0-5]\d))?"
    r"(?:(?P<sp>\s?)(?P<ampm>[AaPp]\.?[Mm]\.?(?![\w])))?"
)
_NUMERIC = re.compile(
    r"(?<![\d/.-])(?:(?P<y1>\d{4})-(?P<m1>\d{1,2})-(?P<d1>\d{1,2})|"
    r"(?P<a>\d{1,2})(?P<sep>[/.-])(?P<b>\d{1,2})(?P=sep)(?P<y>\d{4}|\d{2}))(?![\d/-]|\.\d)"
)
_TOKEN = re.compile(r"[^\W\d_]+\.?|\d+(?:st|nd|rd|th|er|e|ème|\.)?", re.IGNORECASE)


def _case(template: str, word: str) -> str:
    if template.isupper() and len(template) > 1:
        return word.upper()
    if template[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _month_word(template: str, lang: str, month: int, abbr: bool) -> str:
    word = (_MONTH_ABBR if abbr else MONTHS)[lang][month]
    if abbr and template.endswith("."):
        word += "."
    if lang == "de" and not template.islower():
        word = word.capitalize()
    return _case(template.rstrip("."), word.rstrip(".")) + ("." if word.endswith(".") else "")


def date_parts(value: str, language: str = "en") -> dict[str, Any]:
    """Return the calendar parts found in ``value`` (for tests and the validity checks)."""
    return _parse(value, language)[0]


def _parse(value: str, language: str) -> tuple[dict[str, Any], list[tuple[int, int, str]]]:
    """Return the parts (year, month, day, weekday, time) and where each one is written."""
    parts: dict[str, Any] = {}
    where: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    m = _NUMERIC.search(value)
    if m:
        if m.group("y1"):
            y, mo, d = int(m.group("y1")), int(m.group("m1")), int(m.group("d1"))
            where += [(m.start("y1"), m.end("y1"), "Y"), (m.start("m1"), m.end("m1"), "M")]
            where.append((m.start("d1"), m.end("d1"), "D"))
        else:
            a, b, ys = int(m.group("a")), int(m.group("b")), m.group("y")
            y = int(ys) + (0 if len(ys) == 4 else 1900 if int(ys) > 30 else 2000)
            mdy = language == "en" and m.group("sep") == "/" and a <= 12 and (b > 12 or a <= 12)
            if a > 12:
                mdy = False
            elif b > 12:
                mdy = True
            mo, d = (a, b) if mdy else (b, a)
            first, second = ("M", "D") if mdy else ("D", "M")
            where += [(m.start("a"), m.end("a"), first), (m.start("b"), m.end("b"), second)]
            where.append((m.start("y"), m.end("y"), "Y"))
        if 1 <= mo <= 12 and 1 <= d <= 31:
            parts.update(year=y, month=mo, day=d)
            taken.append(m.span())
        else:
            where = []
    for t in _TIME.finditer(value):
        if any(s <= t.start() < e for s, e in taken):
            continue
        h, mins, ampm = int(t.group("h")), t.group("m"), t.group("ampm")
        after = value[t.end() : t.end() + 4].lower()
        uhr = after.strip().startswith(("uhr", "h")) and not mins
        if not (mins or ampm or uhr or t.group("sep") == "h"):
            continue
        if t.group("sep") == "." and not ampm:
            continue  # 3.45 is a decimal more often than a time
        if (ampm and not 1 <= h <= 12) or h > 23:
            continue
        parts["time"] = (h, int(mins) if mins else 0)
        where.append((t.start(), t.end(), "T"))
        taken.append(t.span())
        break
    for tok in _TOKEN.finditer(value):
        if any(s <= tok.start() < e for s, e in taken):
            continue
        w = tok.group()
        low = w.lower().rstrip(".")
        if low in _MONTH_WORDS and "month" not in parts:
            lang, idx, abbr = _MONTH_WORDS[low]
            if language in MONTHS and low in MONTHS[language]:  # the text's language first
                lang, idx, abbr = language, MONTHS[language].index(low), False
            if low == "may" and language != "en":
                continue
            if abbr and len(low) < 3:
                continue
            parts["month"] = idx + 1
            parts["month_form"] = (lang, abbr)
            end = tok.end() if (abbr and w.endswith(".")) else tok.start() + len(w.rstrip("."))
            where.append((tok.start(), end, "MW"))
            continue
        wd = next((ws.index(low) for ws in WEEKDAYS.values() if low in ws), None)
        if wd is not None:
            parts["weekday"] = wd
            where.append((tok.start(), tok.start() + len(low), "WD"))
            continue
        digits = re.match(r"\d+", w)
        if digits:
            n = int(digits.group())
            if len(digits.group()) == 4 and 1000 <= n <= 2200 and "year" not in parts:
                parts["year"] = n
                where.append((tok.start(), tok.start() + 4, "Y"))
            elif len(digits.group()) <= 2 and 1 <= n <= 31 and "day" not in parts:
                parts["day"] = n
                suffix = w[len(digits.group()) :].lower()
                if suffix in ("st", "nd", "rd", "th"):
                    where.append((tok.start(), tok.end(), "DO"))
                else:
                    where.append((tok.start(), tok.start() + len(digits.group()), "D"))
    if "day" in parts and "month" not in parts and "weekday" not in parts:
        # a lone small number ("the 60s", "10th year") is no day of a month
        where = [w for w in where if w[2] not in ("D", "DO")]
        parts.pop("day")
    return parts, where


def _shift(parts: dict[str, Any], ctx: SurrogateContext) -> dict[str, Any]:
    """Move the date by whole weeks so that every present part changes (weekday kept)."""
    rng = ctx.rng
    y = parts.get("year")
    mo = parts.get("month")
    d = parts.get("day")
    new = dict(parts)
    if mo is None and d is None and y is not None:
        new["year"] = int(y) + rng.choice((-5, -4, -3, -2, -1, 1, 2, 3, 4, 5))
        return new
    if mo is None:
        return new
    ref_year = int(y) if y is not None else 2000  # a leap year: 29 February stays possible
    try:
        base = dt.date(ref_year, int(mo), int(d) if d is not None else 1)
    except ValueError:
        return new
    best = None
    for _ in range(64):
        weeks = rng.randint(4, 150) * rng.choice((-1, 1))
        if d is None:  # a month (and year) alone: move by months instead
            months = rng.randint(1, 40) * rng.choice((-1, 1))
            total = base.year * 12 + base.month - 1 + months
            n = dt.date(total // 12, total % 12 + 1, 1)
        else:
            n = base + dt.timedelta(weeks=weeks)
        best = n
        if (
            n.month != base.month
            and (d is None or n.day != base.day)
            and (y is None or n.year != base.year)
        ):
            break
    assert best is not None
    new["month"] = best.month
    if d is not None:
        new["day"] = best.day
    if y is not None:
        new["year"] = best.year
    return new


def _shift_time(value: str, t: re.Match[str], ctx: SurrogateContext) -> str:
    h, mins = int(t.group("h")), t.group("m")
    ampm = t.group("ampm")
    h24 = (h % 12 + (12 if ampm[0] in "pP" else 0)) if ampm else h
    step = 5 if mins else 60
    delta = ctx.rng.randint(1, 1440 // step - 1) * step
    total = (h24 * 60 + (int(mins) if mins else 0) + delta) % 1440
    nh, nm = divmod(total, 60)
    if ampm:
        hh = nh % 12 or 12
        mark = ("P" if nh >= 12 else "A") + ampm[1:]
        mark = mark if ampm[0].isupper() else mark.lower()
        hs = f"{hh:0{len(t.group('h'))}d}" if len(t.group("h")) == 2 else str(hh)
    else:
        mark = ""
        hs = f"{nh:0{len(t.group('h'))}d}"
    out = hs
    if mins:
        out += t.group("sep") + f"{nm:02d}"
    if t.group("s"):
        out += ":" + t.group("s")
    if ampm:
        out += (t.group("sp") or "") + mark
    return out


@surrogates.register("DATE")
def date(value: str, ctx: SurrogateContext) -> str:
    """The date moved by whole weeks, the time by minutes, each written as it was."""
    lang = ctx.language if ctx.language in MONTHS else "en"
    parts, where = _parse(value, lang)
    if not where:
        return value
    new = _shift(parts, ctx)
    out, pos = [], 0
    for s, e, kind in sorted(where):
        out.append(value[pos:s])
        old = value[s:e]
        if kind == "Y":
            rep = f"{int(new['year']):04d}" if len(old) == 4 else f"{int(new['year']) % 100:02d}"
        elif kind in ("M", "D"):
            # padded if the original was ("03", or both fields written with two digits)
            # ("19 February" says nothing: with the month in words the day alone is unpadded)
            fields = [e2 - s2 for s2, e2, k2 in where if k2 in ("M", "D")]
            width = 2 if old.startswith("0") or fields == [2, 2] else 1
            rep = f"{int(new['month' if kind == 'M' else 'day']):0{width}d}"
        elif kind == "DO":
            n = int(new["day"])
            suf = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
            rep = str(n) + (suf.upper() if old[-2:].isupper() else suf)
        elif kind == "MW":
            mlang, abbr = parts["month_form"]
            rep = _month_word(old, mlang, int(new["month"]) - 1, abbr)
        elif kind == "T":
            t = _TIME.match(value, s)
            rep = _shift_time(value, t, ctx) if t else old
        else:  # weekday: whole-week shifts keep it
            rep = old
        out.append(rep)
        pos = e
    out.append(value[pos:])
    return "".join(out)
