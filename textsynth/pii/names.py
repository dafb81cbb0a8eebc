"""Person names beyond NER: titles, self-introductions, and names recurring in a document.

* ``Ms. Okonkwo``, ``Dr H. K. Elban``, ``M. Dupont``: a title followed by capitalised words.
* ``my name is margaret okonkwo``, ``this is tom``: a cue phrase followed by a word that is a
  known first name (lower-case chat) or is capitalised.
* Every name already found in the document, and each of its parts, is then found again wherever
  it recurs in the same document, in any case (``Margaret`` alone, ``okonkwo``).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence

from textsynth.pii.entities import Finding

__all__ = ["TITLE_BEFORE", "NameFinder", "TITLES"]

TITLES = frozenset(
    "mr mrs ms miss mx dr prof sir dame madam mme mlle monsieur madame me mister missus lord "
    "lady rev fr sr jr".split()
)
_TITLE = (
    r"(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sir|Dame|Madam|Mme|Mlle|Monsieur|Madame|Lord|Lady|"
    r"M(?=\.)|Me(?=\s[A-Z]))\.?"
)
_INITIAL = r"[A-Z]\.(?:-?[A-Z]\.)*"
_TITLE_RX = re.compile(  # no leading \b: a literal first lets the regex engine skip ahead
    rf"(?P<pii>{_TITLE}[ \t]+(?:(?:{_INITIAL}[ \t]?){{1,3}}(?![ \t]*[A-Z][a-z])|"
    rf"(?:{_INITIAL}[ \t]?){{0,3}}[A-Z][\w'’-]+(?:[ \t]+(?:[A-Z][\w'’-]+|{_INITIAL}))?"
    r"(?:[ \t]+[A-Z][\w'’-]+)?))"
)
# a title right before a name ("Mr " + "Benham"): the name span takes it in
TITLE_BEFORE = re.compile(rf"(?<![\w.]){_TITLE}[ \t]+$")
_CUE_RX = re.compile(
    r"\b(?:my name is|my name's|name is|names|this is|it's|i am|i'm|im|call me|speaking with|"
    r"talking to|ask for|je m'appelle|je suis|moi c'est|c'est|ici)[ \t]+"
    r"(?P<first>[^\W\d_][\w'’-]*)(?:[ \t]+(?P<last>[^\W\d_][\w'’-]*))?",
    re.IGNORECASE,
)
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_STRONG_CUES = ("my name", "name is", "names", "call me", "je m'appelle", "moi c'est")
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
        self.first = first_names(language)

    def local(self, text: str) -> list[Finding]:
        """Return titled and introduced names in one text."""
        out = []
        for m in _TITLE_RX.finditer(text):
            s, e = m.span("pii")
            if s and text[s - 1].isalnum():
                continue
            out.append(Finding(s, e, "PERSON", 0.75, "title-name"))
        for m in _CUE_RX.finditer(text):
            first, last = m.group("first"), m.group("last")
            fl = first.lower()
            if fl in self.stop or fl in TITLES:
                continue
            strong = m.group().lower().startswith(_STRONG_CUES)
            known = fl in self.first
            if not (known or (strong and first[0].isupper())):
                continue
            end = m.end("first")
            if last and self._surname_like(last, first):
                end = m.end("last")
            out.append(
                Finding(m.start("first"), end, "PERSON", 0.8 if known else 0.6, "intro-name")
            )
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
        for n in names:
            for part in _NAME_WORD.findall(n):
                pl = part.lower()
                if len(part) > 1 and pl not in self.stop and pl not in TITLES:
                    parts.add(pl)
        out: list[list[Finding]] = []
        for t in texts:
            found: list[Finding] = []
            for m in _NAME_WORD.finditer(t):
                if m.group().lower() not in parts:
                    continue
                s, e = m.span()
                if found and t[found[-1].end : s].isspace() and s - found[-1].end <= 2:
                    prev = found.pop()
                    found.append(Finding(prev.start, e, "PERSON", 0.8, "name-coref"))
                else:
                    found.append(Finding(s, e, "PERSON", 0.7, "name-coref"))
            out.append(found)
        return out
