"""Token-level PII detection scores for eval/bench_pii.py (type-agnostic, coarse labels).

A gold token is a token overlapping a gold span whose coarse label is not OTHER; tokens covered
only by OTHER spans are left out of the evaluation; a token counts as predicted if any
predicted span covers it entirely. Precision, recall and F-beta (beta=2) over tokens, and recall
per coarse type.
"""

from __future__ import annotations

import re
from collections import Counter

TOKEN = re.compile(r"\w+|[^\w\s]")


def score(
    records: list[dict],
    predictions: list[list[tuple[int, int]]],
    label_map: dict[str, str],
    beta: float = 2.0,
) -> dict:
    """Return ``{"precision", "recall", "f2", "recall_by_type", "tokens"}``."""
    tp = fp = fn = 0
    by_type_tp: Counter[str] = Counter()
    by_type_n: Counter[str] = Counter()
    for rec, pred in zip(records, predictions, strict=False):
        text = rec["text"]
        gold = [(s["start"], s["end"], label_map.get(s["label"], "OTHER")) for s in rec["spans"]]
        pred = sorted(pred)
        for m in TOKEN.finditer(text):
            a, b = m.span()
            labels = {lab for s, e, lab in gold if s < b and a < e}
            covered = any(s <= a and b <= e for s, e in pred)
            real = labels - {"OTHER"}
            if not real and labels:
                continue  # only OTHER: not evaluated
            if real:
                lab = sorted(real)[0]
                by_type_n[lab] += 1
                if covered:
                    tp += 1
                    by_type_tp[lab] += 1
                else:
                    fn += 1
            elif covered:
                fp += 1
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    b2 = beta * beta
    f = (1 + b2) * p * r / (b2 * p + r) if p + r else 0.0
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f2": round(f, 4),
        "recall_by_type": {k: round(by_type_tp[k] / n, 4) for k, n in sorted(by_type_n.items())},
        "tokens": {"tp": tp, "fp": fp, "fn": fn},
    }


# -- leaks: gold strings that survive scrubbing verbatim ----------------------------------------

# fine gold label -> leak class, per set (None: not counted)
LEAK_CLASSES: dict[str, dict[str, str]] = {
    "presidio_synth_v2": {
        "PERSON": "PERSON",
        "STREET_ADDRESS": "ADDRESS",
        "ZIP_CODE": "ADDRESS",
        "GPE": "LOCATION",
        "ORGANIZATION": "ORG",
        "CREDIT_CARD": "CREDIT_CARD",
        "DATE_TIME": "DATE",
        "PHONE_NUMBER": "PHONE",
        "EMAIL_ADDRESS": "EMAIL",
        "DOMAIN_NAME": "URL",
        "IBAN_CODE": "IBAN",
        "US_SSN": "NATIONAL_ID",
        "US_DRIVER_LICENSE": "ID",
        "IP_ADDRESS": "IP",
    },
    "tab": {"PERSON": "PERSON", "CODE": "ID", "LOC": "LOCATION", "ORG": "ORG", "DATETIME": "DATE"},
    "chats": {
        k: k
        for k in (
            "PERSON ADDRESS LOCATION ORG DATE EMAIL PHONE CREDIT_CARD IBAN ID NATIONAL_ID "
            "USERNAME IP URL"
        ).split()
    },
}
STRUCTURED = ("EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "NATIONAL_ID", "IP")


def _occurs(value: str, text: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text) is not None


_WORD = re.compile(r"[^\W\d_]+")
# words a PERSON string can hold without naming anyone: titles, and the words of a relational
# description ("the applicant's brother", "his two sisters"), which TAB marks as PERSON too.
# The measure keeps its own lists rather than textsynth.pii.names.TITLES, so that a change to
# the system under test cannot change what counts as a surviving name.
_TITLES = set(
    "mr mrs ms miss mx dr prof sir dame madam mme mlle m monsieur madame herr frau me maître "
    "maitre professeur professor docteur doktor lord lady".split()
)
_DESCRIPTIVE = set(
    "the a an his her their its my your our this that these those s and of one two three four "
    "five six seven eight nine ten both other late elder younger eldest youngest "
    "applicant applicants brother brothers sister sisters son sons daughter daughters wife "
    "wives husband husbands mother father parent parents child children uncle aunt cousin "
    "cousins nephew niece grandmother grandfather grandson granddaughter grandchildren partner "
    "spouse widow widower fiancé fiancée friend friends neighbour neighbours neighbor "
    "neighbors colleague colleagues lawyer client victim victims accused co defendant "
    "witness witnesses family relative relatives mum mom dad".split()
)


def names_someone(value: str) -> bool:
    """Whether a gold PERSON string holds a name or an initial, not only titles (``Mr`` of
    ``Mr and Mrs T.``) or a relational description (``the applicant's brother``)."""
    words = [w for w in _WORD.findall(value) if w.lower().rstrip(".") not in _TITLES]
    return any(not w.islower() or w not in _DESCRIPTIVE for w in words)


def _original_only(out: str, text: str, edits: list) -> str:
    """``out`` with each word a surrogate made up (one not in the text it replaced) blanked out,
    so that a surrogate that happens to equal another gold string (``A -> B`` beside a real
    ``B``) is not counted as ``B`` surviving. Words a surrogate kept from its original stay."""
    chars = list(out)
    for e in edits:
        if len(e) < 5 or e[3] is None:
            continue
        kept = {w.lower() for w in _WORD.findall(text[e[0] : e[1]])}
        for m in _WORD.finditer(out, e[3], e[4]):
            if m.group().lower() not in kept:
                chars[m.start() : m.end()] = "\x00" * (m.end() - m.start())
    return "".join(chars)


def leaks(
    records: list[dict],
    outputs: list[str],
    classes: dict[str, str],
    edits: list[list] | None = None,
) -> dict:
    """Per leak class: gold strings, how many survive verbatim in the record's output, share.

    With ``edits`` (per record ``[start, end, entity, new_start, new_end]``), words a surrogate
    made up are not searched (see :func:`_original_only`). Addresses also get
    ``parts_surviving``: addresses one of whose comma/newline-separated parts (of 4+ characters)
    survives verbatim (a city, state and zip kept while the street changes). Person strings also
    get ``names`` and ``names_surviving``: those that hold a name (:func:`names_someone`).
    """
    n: Counter[str] = Counter()
    left: Counter[str] = Counter()
    parts_left: Counter[str] = Counter()
    names, names_left = 0, 0
    examples: dict[str, list[str]] = {}
    for i, (rec, out) in enumerate(zip(records, outputs, strict=True)):
        if edits is not None:
            out = _original_only(out, rec["text"], edits[i])
        for s in rec["spans"]:
            cls = classes.get(s["label"])
            if cls is None:
                continue
            value = rec["text"][s["start"] : s["end"]].strip()
            if not value:
                continue
            n[cls] += 1
            hit = _occurs(value, out)
            left[cls] += hit
            if hit and len(examples.setdefault(cls, [])) < 12:
                examples[cls].append(value)
            if cls == "ADDRESS":
                parts = [p.strip() for p in re.split(r"[,\n]", value) if len(p.strip()) >= 4]
                parts_left[cls] += any(_occurs(p, out) for p in parts)
            if cls == "PERSON" and names_someone(value):
                names += 1
                names_left += hit
    res = {
        c: {
            "gold": n[c],
            "surviving": left[c],
            "share": round(left[c] / n[c], 4),
            "examples": examples.get(c, []),
        }
        for c in sorted(n)
    }
    if "ADDRESS" in res:
        res["ADDRESS"]["parts_surviving"] = parts_left["ADDRESS"]
        res["ADDRESS"]["parts_share"] = round(parts_left["ADDRESS"] / n["ADDRESS"], 4)
    if "PERSON" in res:
        res["PERSON"]["names"] = names
        res["PERSON"]["names_surviving"] = names_left
        res["PERSON"]["names_share"] = round(names_left / names, 4) if names else None
    return res


def redact(text: str, spans: list[tuple[int, int]]) -> str:
    """Replace the (possibly overlapping) spans by ``<PII>`` (how a peer's spans are applied)."""
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    out, pos = [], 0
    for s, e in merged:
        out += [text[pos:s], "<PII>"]
        pos = e
    return "".join(out) + text[pos:]


# -- surrogate validity: dates parse, times exist, weekdays agree; durations, currencies kept ----

WEEKDAYS = {
    "en": "monday tuesday wednesday thursday friday saturday sunday".split(),
    "fr": "lundi mardi mercredi jeudi vendredi samedi dimanche".split(),
    "de": "montag dienstag mittwoch donnerstag freitag samstag sonntag".split(),
}
_WEEKDAY_RX = re.compile(
    r"\b(" + "|".join(w for ws in WEEKDAYS.values() for w in ws) + r")\b", re.IGNORECASE
)
_TIME_RXS = (
    re.compile(r"(?<![\d:.])(\d{1,2})(?::(\d{2}))?\s*([ap])\.?m\b\.?", re.IGNORECASE),
    re.compile(r"(?<![\d:.])(\d{1,2})[:h](\d{2})(?![\d:])()", re.IGNORECASE),
    re.compile(r"(?<![\d:.])(\d{1,2})\s?(?:h|uhr)()()(?![\w])", re.IGNORECASE),
)
DURATION = re.compile(
    r"(?<![\w.,])(?:(?:last|past|next|within|for|in|the|les|derniers|letzten)\s+)?"
    r"\d+(?:[.,]\d+)?(?:\s*(?:to|-|–|à|bis|or|ou|oder)\s*\d+)?\s+"
    r"(?:(?:business|working|calendar|ouvrés|ouvrables)\s+)?"
    r"(?:days?|weeks?|months?|years?|hours?|minutes?|jours?|semaines?|mois|ans|heures?|"
    r"Tagen?|Wochen?|Monate?n?|Jahren?|Stunden?|Minuten?|Werktagen?)"
    r"(?:\s+(?:ago|ouvrés|ouvrables))?(?![\w])",
    re.IGNORECASE,
)


def currency_codes() -> frozenset[str]:
    """ISO 4217 codes (Faker's list)."""
    from faker.providers.currency import Provider

    return frozenset(code for code, _name in Provider.currencies)


def impossible_times(text: str) -> int:
    """Count clock times in ``text`` that cannot exist (``27:16 PM``, ``10:75``)."""
    bad = 0
    for rx in _TIME_RXS:
        for m in rx.finditer(text):
            h, mi, ampm = int(m.group(1)), m.group(2), m.group(3)
            if (ampm and not 1 <= h <= 12) or h > 24 or (mi and int(mi) > 59):
                bad += 1
    return bad


def _parse(text: str, lang: str):
    import dateparser

    return dateparser.parse(
        text,
        languages=[lang if lang in WEEKDAYS else "en"],
        settings={"PREFER_DAY_OF_MONTH": "first"},
    )


def weekday_agrees(text: str, lang: str) -> bool | None:
    """Whether a weekday named in ``text`` is the weekday of its date (None: nothing to check).

    Only dates with a year are checked (without one the weekday is not determined).
    """
    m = _WEEKDAY_RX.search(text)
    if not m or not re.search(r"\b(?:1[6-9]|2[01])\d\d\b", text):
        return None
    word = m.group(1).lower()
    index = next(ws.index(word) for ws in WEEKDAYS.values() if word in ws)
    rest = (text[: m.start()] + " " + text[m.end() :]).strip(" ,")
    rest = re.sub(r"\b(?:at|um|à)\s+\d.*$", "", rest).strip(" ,")  # the time after the date
    d = _parse(rest, lang)
    if d is None:
        return None
    return d.weekday() == index


def validity(
    pairs: list[tuple[str, str, str]], records: list[dict], outputs: list[str], langs: list[str]
) -> dict:
    """Date surrogates (``pairs`` of original, surrogate, language) and what must not change."""
    n = parsed_in = unparseable = bad_times = checked_wd = agree_wd = 0
    examples: list[list[str]] = []
    for orig, sur, lang in pairs:
        n += 1
        bad_times += impossible_times(sur)
        if _parse(orig, lang) is not None:
            parsed_in += 1
            if _parse(sur, lang) is None:
                unparseable += 1
                if len(examples) < 8:
                    examples.append([orig, sur])
        wd = weekday_agrees(sur, lang)
        if wd is not None:
            checked_wd += 1
            agree_wd += wd
    codes = currency_codes()
    cur_rx = re.compile(r"(?<![A-Za-z])(" + "|".join(sorted(codes)) + r")(?![A-Za-z])")
    dur_n = dur_changed = cur_n = cur_changed = placeholders = 0
    for rec, out in zip(records, outputs, strict=True):
        text = rec["text"]
        for m in DURATION.finditer(text):
            dur_n += 1
            dur_changed += out.count(m.group()) < text.count(m.group())
        for m in cur_rx.finditer(text):
            cur_n += 1
            cur_changed += len(re.findall(rf"(?<![A-Za-z]){m.group()}(?![A-Za-z])", out)) < len(
                re.findall(rf"(?<![A-Za-z]){m.group()}(?![A-Za-z])", text)
            )
        placeholders += len(
            set(re.findall(r"<[A-Z_]+>", out)) - set(re.findall(r"<[A-Z_]+>", text))
        )
    return {
        "date_surrogates": n,
        "date_originals_parsed": parsed_in,
        "unparseable_date_surrogates": unparseable,
        "unparseable_examples": examples,
        "impossible_times": bad_times,
        "weekday_checked": checked_wd,
        "weekday_agreement": round(agree_wd / checked_wd, 4) if checked_wd else None,
        "durations": dur_n,
        "durations_changed": dur_changed,
        "currency_codes": cur_n,
        "currency_codes_changed": cur_changed,
        "placeholders_left": placeholders,
    }
