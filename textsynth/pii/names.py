"""Person names beyond NER: titles, self-introductions, and names recurring in a document.

* ``Ms. Okonkwo``, ``Dr H. K. Elban``, ``M. Dupont``: a title followed by capitalised words.
* ``my name is margaret okonkwo``, ``this is tom``: a cue phrase followed by a word that is a
  known first name (lower-case chat) or is capitalised.
* Every name already found in the document, and each of its parts, is then found again wherever
  it recurs in the same document, in any case (``Margaret`` alone, ``okonkwo``).
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Iterator, Sequence

from textsynth.pii.entities import Finding
from textsynth.pii.name_shapes import NameShapes
from textsynth.pii.recognizers.base import lower_form
from textsynth.pii.vocabulary import is_english_word

__all__ = ["TITLE_BEFORE", "TITLES", "UNIT_AFTER", "NameFinder"]

TITLES = frozenset(
    "mr mrs ms miss mx dr prof sir dame madam mme mlle monsieur madame me mister missus lord "
    "lady rev fr sr jr maître maitre professeur professor pr docteur doktor herr frau fräulein "
    "hr".split()
)
_TITLE_WORDS = (
    r"Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Madam|Mme|Mlle|Monsieur|Madame|Lord|Lady|Mister|"
    r"Ma[îi]tre|Professeur|Professor|Docteur|Doktor|Herr|Frau|Fräulein|"
    r"M(?=\.)|Me(?=\s[A-Z])|Pr(?=\.?\s[A-Z])|Hr(?=\.)|Fr(?=\.\s[A-Z])"
)
_TITLE = rf"(?:{_TITLE_WORDS})\.?(?:[ \t]+(?:Dr|Prof|Professor|Doktor|Docteur)\.?)?"
# a full-word title in any case before one name word in any case ("herr wagner", "mr smith")
_LOWER_TITLE_RX = re.compile(
    r"(?<![\w.])(?P<pii>(?:mr|mrs|ms|miss|mister|herr|frau|madame|monsieur|ma[îi]tre|"
    r"professeur|professor|docteur|doktor|dr|prof)\.?[ \t]+(?P<name>[^\W\d_][\w'’-]+))",
    re.IGNORECASE,
)
_INITIAL = r"[A-Z]\.(?:-?[A-Z]\.)*"
_TITLE_RX = re.compile(  # no leading \b: a literal first lets the regex engine skip ahead
    rf"(?P<pii>{_TITLE}[ \t]+(?:(?:{_INITIAL}[ \t]?){{1,3}}(?![ \t]*[A-Z][a-z])|"
    rf"(?:{_INITIAL}[ \t]?){{0,3}}[A-Z][\w'’-]+(?:[ \t]+(?:[A-Z][\w'’-]+|{_INITIAL}))?"
    r"(?:[ \t]+[A-Z][\w'’-]+)?))"
)
# a unit designator after a name ("Mrs. Ann Lee Apt. 4", "Dr. Bo Kim Suite 5")
UNIT_AFTER = re.compile(r"[ \t]+(?:Apt|Apartment|Suite|Ste|Unit|Flat)\.?$")
# a title right before a name ("Mr " + "Benham"): the name span takes it in
TITLE_BEFORE = re.compile(rf"(?<![\w.]){_TITLE}[ \t]+$")
_CUE_RX = re.compile(
    r"\b(?:my name is|my name's|name is|names|name[ \t]*:|nom[ \t]*:|this is|it's|i am|i'm|"
    r"im|call me|calls me|speaking with|"
    r"talking to|chatting with|ask for|je m'appelle|je me nomme|je suis|moi c'est|c'est|ici|"
    r"en ligne avec|mon nom est|ich bin|ich heiße|ich heisse|mein name ist|hier ist|hier spricht|"
    r"chatten mit|sprechen mit|you're with|transferred to)[ \t]+"
    r"(?P<first>[^\W\d_][\w'’-]*)(?:[ \t]+(?P<last>[^\W\d_][\w'’-]*))?",
    re.IGNORECASE,
)
_DETERMINER_BEFORE = re.compile(
    r"\b(?:the|a|an|this|that|these|those|its|their|our|some|any|no|every|each)[ \t]+$",
    re.IGNORECASE,
)
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_STRONG_CUES = (
    "name:",
    "name :",
    "nom:",
    "nom :",
    "my name",
    "name is",
    "names",
    "call me",
    "calls me",
    "je m'appelle",
    "je me nomme",
    "moi c'est",
    "speaking with",
    "chatting with",
    "talking to",
    "en ligne avec",
    "mon nom",
    "ich heiß",
    "ich heiss",
    "mein name",
    "hier spricht",
    "chatten mit",
    "sprechen mit",
    "transferred to",
)
# cues after which even a lower-case word no list knows is a name ("my name is vitoria")
_NAMING_CUES = (
    "my name is",
    "name is",
    "call me",
    "calls me",
    "je m'appelle",
    "mon nom est",
    "ich heiße",
    "ich heisse",
    "mein name ist",
)
# what may follow "call me" and is no name ("call me back", "call me tomorrow")
_NOT_AFTER_CALL = frozenset(
    "back later tomorrow tonight today now asap soon again anytime maybe when if on at".split()
)
# a greeting, a thank-you or a sign-off before a name ("hi tom", "merci léa", "cheers, dave")
_GREETING_RX = re.compile(
    r"(?:^|(?<=[\s,.!?;:]))(?:hi|hiya|hello|hey|dear|thanks|thank you|thx|cheers|bye|goodbye|"
    r"morning|good (?:morning|afternoon|evening)|regards|best|bonjour|bonsoir|salut|coucou|merci|"
    r"au revoir|cordialement|hallo|hi|guten (?:tag|morgen|abend)|danke|tschüss|servus|moin|"
    r"grüße|gruß|liebe|lieber|cher|chère)"
    r"(?:[ \t]+(?:so much|very much|a lot|again|beaucoup|bien|encore|schön|sehr|vielmals))?"
    r"[ \t]*[,!]?[ \t\n]+"
    r"(?P<first>[^\W\d_][\w'’-]*)(?:[ \t]+(?P<last>[^\W\d_][\w'’-]*))?",
    re.IGNORECASE,
)
# an agent naming themselves: "Naomi here", "Sarah hier", "Thomas à votre écoute"
_SELF_RX = re.compile(  # led by the capital: the scan skips to capitals
    r"(?P<first>[A-ZÀ-Ý](?:(?<=\A[A-ZÀ-Ý])|(?<=[,.!?]\s[A-ZÀ-Ý]))[\w'’-]+)"
    r"(?:[ \t]+(?P<last>[A-ZÀ-Ý][\w'’-]+))?"
    r"[ \t]+(?:here\b|hier\b|ici\b|from\b|à votre|du service|de l'équipe|vom\b|von der\b)"
)
_PLACE_WORDS = frozenset(
    "street st road rd avenue ave lane park square bridge station hospital university college "
    "school court bank group inc ltd llc hotel airport church county city river lake valley "
    "mountain island centre center house hall building tower beach bay straße strasse platz "
    "rue avenue boulevard".split()
)
_LOWER_WORD = re.compile(r"(?<![\w@.-])[a-zà-ÿ][a-zà-ÿ'’-]{2,}(?![\w@-])")
_SPEAKER_RX = re.compile(r"(?m)^[ \t>]*([^\W\d_][\w'’-]+)[ \t]*:")
# led by the capital, the look-behind after it: the scan skips to capitals
_CAP_WORD = re.compile(r"([A-ZÀ-Ý](?<![\w.@-][A-ZÀ-Ý])[a-zà-ÿ'’-]{2,})(?![\w@-])")
# what an agent asks before a name given alone as the next turn
NAME_QUESTION = re.compile(
    r"\b(?:(?:your|full|first|last|sur)[ -]?name|name please|who am i (?:speaking|chatting)|"
    r"who (?:is|am) this|votre nom|qui ai-je|à quel nom|au nom de|wie ist ihr name|ihr name|"
    r"wie heißen sie|wie darf ich sie ansprechen|ihren namen|ihr vollständiger name|"
    r"may i have your name|can i (?:get|have|take) your name)\b",
    re.IGNORECASE,
)
_ALL_LOCALES = (
    "en_US en_GB en_IN en_IE en_AU en_CA fr_FR fr_CH de_DE de_AT es_ES es_MX it_IT nl_NL pt_PT "
    "pt_BR pl_PL tr_TR sv_SE da_DK fi_FI no_NO cs_CZ hu_HU ro_RO el_GR ru_RU uk_UA ar_AA hi_IN "
    "zh_CN ja_JP ko_KR vi_VN id_ID fil_PH yo_NG sw zu_ZA"
).split()
_LOCALES = {
    "en": ("en_US", "en_GB"),
    "fr": ("fr_FR",),
    "de": ("de_DE",),
    "es": ("es_ES",),
    "it": ("it_IT",),
    "nl": ("nl_NL",),
    "pt": ("pt_PT",),
}


def _stop_words(language: str) -> frozenset[str]:
    try:
        return frozenset(importlib.import_module(f"spacy.lang.{language}.stop_words").STOP_WORDS)
    except ImportError:
        return frozenset()


def first_names(language: str) -> frozenset[str]:
    """Return lower-cased first names of ``language``'s Faker locales (plus English ones)."""
    names: set[str] = set()
    for loc in (*_LOCALES.get(language, ()), "en_US"):
        try:
            prov = importlib.import_module(f"faker.providers.person.{loc}").Provider
        except ImportError:
            continue
        for attr in ("first_names_female", "first_names_male", "first_names"):
            names.update(n.lower() for n in getattr(prov, attr, ()) or ())
    return frozenset(n for n in names if len(n) > 2)


_COMMON = frozenset(
    "will may mark bill grace hope joy faith sunny summer rose ivy dawn art page king young green "
    "brown white black long little love rich case cash cook rice well best hall wood ok so son "
    "done great perfect super fine nice cool sure thanks merci danke parfait genau prima".split()
)


@functools.cache
def name_words() -> tuple[frozenset[str], frozenset[str]]:
    """Return (first names, surnames), lower-cased, from many of Faker's locales."""
    first: set[str] = set()
    last: set[str] = set()
    for loc in _ALL_LOCALES:
        try:
            prov = importlib.import_module(f"faker.providers.person.{loc}").Provider
        except ImportError:
            continue
        for attr in ("first_names_female", "first_names_male", "first_names"):
            vals = getattr(prov, attr, ()) or ()
            first.update(n.lower() for n in vals if isinstance(n, str) and " " not in n)
        vals = getattr(prov, "last_names", ()) or ()
        last.update(n.lower() for n in vals if isinstance(n, str) and " " not in n)
    first = {n for n in first if len(n) > 2 and n.isalpha()} - _COMMON
    last = {n for n in last if len(n) > 2 and n.replace("-", "").isalpha()} - _COMMON
    return frozenset(first), frozenset(last)


class _Folded:
    """A case-insensitive pattern run as its case-sensitive form on the lower-cased text when
    lower-casing keeps every offset (several times faster); spans index the original text, so
    read groups through :func:`_group`."""

    def __init__(self, rx: re.Pattern[str]) -> None:
        self.rx = rx
        self.lower = lower_form(rx)

    def finditer(self, text: str, low: str) -> Iterator[re.Match[str]]:
        if self.lower is not None and len(low) == len(text):
            return self.lower.finditer(low)
        return self.rx.finditer(text)

    def search(self, text: str) -> re.Match[str] | None:
        low = text.lower()
        if self.lower is not None and len(low) == len(text):
            return self.lower.search(low)
        return self.rx.search(text)


def _group(text: str, m: re.Match[str], name: str) -> str | None:
    """The text of group ``name`` of ``m`` read from ``text`` (``None`` when it did not match)."""
    s, e = m.span(name)
    return None if s < 0 else text[s:e]


_SURNAME_AFTER = re.compile(r"[ \t]+((?:[A-Z]\.?[ \t]+)?[A-ZÀ-Ý][\w'’-]+)")
_LOWER_TITLE = _Folded(_LOWER_TITLE_RX)
_GREETING = _Folded(_GREETING_RX)
_CUE = _Folded(_CUE_RX)
NAME_QUESTION_FOLDED = _Folded(NAME_QUESTION)


def _no_part_in(text: str, parts: set[str]) -> bool:
    """Whether no word of ``text`` (nor a word without its ``'s``) is one of ``parts``: one
    pass in C, before the word-by-word scan."""
    low = text.lower()
    if len(low) != len(text):
        return False
    words = _NAME_WORD.findall(low)
    return parts.isdisjoint(words) and parts.isdisjoint(
        w[:-2] for w in words if w.endswith(("'s", "’s"))
    )


class NameFinder:
    """Finds titled names, introduced names and recurring names (state: per-language word lists).

    Args:
        language: language of the texts (picks stop words and first-name lists).
    """

    name = "names"

    def __init__(self, language: str = "en") -> None:
        self.language = language
        self.stop = _stop_words(language) | {
            "hi",
            "hello",
            "yes",
            "no",
            "ok",
            "okay",
            "sorry",
            "thanks",
            "fine",
            "good",
            "here",
            "there",
            "calling",
        }
        self._bad = self.stop | _COMMON | TITLES
        known_first, known_last = name_words()
        self.first = first_names(language) | known_first
        self.last = known_last
        self._shapes = NameShapes(
            self.first, self.last, frozenset(self.stop | TITLES | _COMMON), language
        )

    def shapes(self, text: str) -> list[Finding]:
        """Names in no list and after no cue, by shape and context (see ``name_shapes``)."""
        return self._shapes.find(text, _PLACE_WORDS)

    def local(self, text: str) -> list[Finding]:
        """Return titled and introduced names in one text."""
        out = []
        for m in _TITLE_RX.finditer(text):
            s, e = m.span("pii")
            if s and text[s - 1].isalnum():
                continue
            if unit := UNIT_AFTER.search(text, s, e):  # "Mrs. Ann Lee Apt. 4": not the name
                e = unit.start()
            out.append(Finding(s, e, "PERSON", 0.75, "title-name"))
        low = text.lower()
        for m in _LOWER_TITLE.finditer(text, low):
            w = low[slice(*m.span("name"))] if len(low) == len(text) else m.group("name").lower()
            if w not in self.stop and w not in TITLES and w not in _COMMON:
                out.append(Finding(*m.span("pii"), "PERSON", 0.7, "title-name"))
        greetings = [(m, False) for m in _GREETING.finditer(text, low)] + [
            (m, True) for m in _SELF_RX.finditer(text)
        ]
        for m, strong in greetings:
            first, last = _group(text, m, "first"), _group(text, m, "last")
            assert first is not None
            if not self._name_like(first, strong=strong):
                continue
            end = m.end("first")
            if last and self._name_like(last, strong=False) and self._surname_like(last, first):
                end = m.end("last")
            out.append(Finding(m.start("first"), end, "PERSON", 0.7, "greeting-name"))
        for m in _CUE.finditer(text, low):
            first, last = _group(text, m, "first"), _group(text, m, "last")
            assert first is not None
            end = m.end("first")
            if first.endswith(("'s", "’s")):  # "i'm roberto's daughter"
                first, last, end = first[:-2], None, end - 2
            fl = first.lower()
            if fl in self.stop or fl in TITLES or fl in _NOT_AFTER_CALL or len(fl) < 2:
                continue
            cue = text[m.start() : m.end()].lower()
            strong = cue.startswith(_STRONG_CUES)
            known = fl in self.first or (fl in self.last and first[0].isupper())
            naming = cue.startswith(_NAMING_CUES) and fl not in _COMMON
            if not (known or (strong and first[0].isupper()) or naming):
                continue
            if last and self._surname_like(last, first):
                end = m.end("last")
            out.append(
                Finding(m.start("first"), end, "PERSON", 0.8 if known else 0.6, "intro-name")
            )
        return out

    def _name_like(self, word: str, strong: bool) -> bool:
        """Whether a word after a greeting or title is a name: a known one, or capitalised
        after a strong cue; never a stop word or a title."""
        w = word.lower()
        if w in self.stop or w in TITLES or len(w) < 2 or w in _COMMON:
            return False
        if w in self.first:
            return True
        return strong and (word[0].isupper() or w in self.last)

    def alone(self, text: str, asked: bool) -> list[Finding]:
        """A turn that is only a name (``Crystal Minh``, ``rodriguez domingo``, ``dave``).

        Taken when the previous turn asked for a name (``asked``), or when every word is a
        known name word and one of them a first name.
        """
        stripped = text.strip(" \t\n.,!?;:-–—")
        if len(stripped) > 60:
            return []
        words = list(_NAME_WORD.finditer(stripped))
        if not 1 <= len(words) <= 4:
            return []
        if _NAME_WORD.sub("", stripped).strip(" \t,.-'’"):
            return []  # something else than name words
        lows = [w.group().lower() for w in words]
        if any(w in self.stop or w in _COMMON for w in lows if w not in TITLES):
            return []
        if all(w in TITLES for w in lows):
            return []
        known = all(w in self.first or w in self.last or w in TITLES for w in lows) and any(
            w in self.first for w in lows
        )
        if not (asked or known):
            return []
        off = text.find(stripped)
        return [Finding(off, off + len(stripped), "PERSON", 0.75 if asked else 0.65, "alone-name")]

    def lines(self, text: str) -> list[Finding]:
        """Names on a line of their own (signatures, address blocks, lists), a speaker's name
        before a colon (``Ella: ...``), and the answer after a name question in the same text
        (``What's your last name? Boyle``)."""
        out: list[Finding] = []
        if "\n" in text:
            for m in re.finditer(r"[^\n]+", text):
                line = m.group()
                body = line.lstrip(" \t>*-•?")
                off = m.start() + len(line) - len(body)
                out += [
                    Finding(f.start + off, f.end + off, f.entity, f.score, "line-name")
                    for f in self.alone(body, False)
                ]
        for m in _SPEAKER_RX.finditer(text):
            if m.group(1).lower() in self.first and m.group(1).lower() not in self.stop:
                out.append(Finding(*m.span(1), "PERSON", 0.6, "speaker-name"))
        q = NAME_QUESTION_FOLDED.search(text)
        if q:
            rest = re.match(r"[^?\n]*\?[ \t]*", text[q.end() :])
            if rest:
                start = q.end() + rest.end()
                out += [
                    Finding(f.start + start, f.end + start, "PERSON", f.score, "answer-name")
                    for f in self.alone(text[start:], True)
                ]
        return out

    def known(self, text: str) -> list[Finding]:
        """A capitalised known first name inside a sentence, with the surname after it."""
        out: list[Finding] = []
        for m in _CAP_WORD.finditer(text):
            w = m.group(1)
            lw = w.lower()
            if lw not in self.first or lw in self.stop or lw in _COMMON or lw in TITLES:
                continue
            if m.start(1) == 0 or text[max(0, m.start(1) - 2) : m.start(1)].strip() in (
                ".",
                "!",
                "?",
            ):
                continue  # sentence-initial capitals say nothing
            end = m.end(1)
            nxt = _SURNAME_AFTER.match(text, end)
            if nxt and nxt.group(1).split()[-1].lower() in _PLACE_WORDS:
                continue  # "Victoria Street", "Jordan Bank": a place or an organisation
            if nxt and nxt.group(1).split()[-1].lower() not in self.stop:
                end = nxt.end()
            out.append(Finding(m.start(1), end, "PERSON", 0.45, "known-name"))
        # "patricia desrosiers": a known first name, then a known surname, both lower-case
        if not self.first.intersection(_LOWER_WORD.findall(text)):
            return out
        words = list(_LOWER_WORD.finditer(text))
        bad = self._bad
        for x, y in zip(words, words[1:], strict=False):
            a = x.group()
            if a not in self.first or a in bad:
                continue
            b = y.group()
            if text[x.end() : y.start()] in (" ", "\t") and b in self.last and b not in bad:
                out.append(Finding(x.start(), y.end(), "PERSON", 0.5, "known-name"))
        return out

    def _surname_like(self, word: str, first: str) -> bool:
        w = word.lower()
        if w in self.stop or w in TITLES or w.endswith(("ing", "ed")) or len(w) < 2:
            return False
        return word[0].isupper() or first.islower()

    def recurring(self, texts: Sequence[str], names: Sequence[str]) -> list[list[Finding]]:
        """Find each part of every name in ``names`` wherever it recurs in ``texts``, any case.

        Words are looked up in a table (no regex is compiled per document); runs of name words
        separated by spaces are joined into one finding (``margaret okonkwo``).
        """
        parts: set[str] = set()
        lower_given: set[str] = set()  # parts some name gave in lower case ("dave")
        for n in names:
            for part in _NAME_WORD.findall(n):
                pl = part.lower()
                if len(part) > 1 and pl not in self.stop and pl not in TITLES:
                    parts.add(pl)
                    if part == pl:
                        lower_given.add(pl)
        out: list[list[Finding]] = []
        for t in texts:
            found: list[Finding] = []
            if _no_part_in(t, parts):
                out.append(found)
                continue
            for m in _NAME_WORD.finditer(t):
                s, e = m.span()
                word = m.group().lower()
                if word.endswith(("'s", "’s")) and word not in parts:
                    word, e = word[:-2], e - 2  # "Okonkwo's": the name without its possessive
                if word not in parts:
                    continue
                if found and t[found[-1].end : s].isspace() and s - found[-1].end <= 2:
                    prev = found.pop()
                    found.append(Finding(prev.start, e, "PERSON", 0.8, "name-coref"))
                else:
                    found.append(Finding(s, e, "PERSON", 0.7, "name-coref"))
            out.append([f for f in found if not self._common_word(t, f, lower_given)])
        return out

    def _common_word(self, text: str, f: Finding, lower_given: set[str]) -> bool:
        """Whether a lone lower-case recurrence of a capitalised name is an ordinary English word
        ("Mrs Price" ... "the price they paid"), not the name typed in lower case ("sure
        arthur"): an English word that is no first name, or one after a determiner."""
        word = text[f.start : f.end]
        if not (
            self.language == "en"
            and word.islower()
            and " " not in word
            and word not in lower_given
            and is_english_word(word)
        ):
            return False
        return word not in self.first or _DETERMINER_BEFORE.search(text, 0, f.start) is not None
