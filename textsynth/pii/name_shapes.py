"""Names in no list and after no cue, found by their shape and the words around them.

* Speakers of a dialogue: ``Ubul: ...`` / ``Nicole: ...``: every speaker label of a text whose
  labels include a known first name.
* Lists of people: ``Ilke, Mary, Ariana and Jodi``: every item of a list most of whose items
  are known first names (or first name + surname).
* A first name, an initial and a surname: ``Ravil G Yefimov``, ``leidy t muris``.
* A known first name and a word that is no English word: ``patricia desrosiers``.
* A word that is no English word used as a person: before a verb only people do (``Zak
  shouted``, ``Ley began writing``), or addressed at the start of a turn (``Warrane, can
  I...``).
* A line of two or three capitalised words, one a known name word and none an English word,
  as in a signature (``Gyala Antall``).

"No English word" comes from :mod:`textsynth.pii.vocabulary`; where it is not installed, or the
text is not English, only the first two shapes are used.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from textsynth.pii.entities import Finding
from textsynth.pii.vocabulary import is_english_word

__all__ = ["SHADOWED_NAMES", "NameShapes"]

# shapes whose name still counts where it recurs alone when NER's entity won over it
SHADOWED_NAMES = frozenset({"possessive-name", "run-name", "pronoun-name", "lower-name"})

_WORD = r"[^\W\d_][\w'’-]*"
_SPEAKER = re.compile(rf"(?m)^[ \t>]*({_WORD})[ \t]*:")
_ITEM = rf"{_WORD}(?:[ \t]+{_WORD}){{0,2}}"
_LIST = re.compile(
    rf"(?<![\w-])({_ITEM})((?:,[ \t]*{_ITEM})+),?[ \t]+(?:and|or|&|et|und)[ \t]+({_ITEM})"
)
_INITIAL_NAME = re.compile(
    r"(?<![\w.'’-])(?P<first>[A-ZÀ-Ý][a-zà-ÿ'’-]+)[ \t]+[A-Z]\.?[ \t]+(?P<last>[A-ZÀ-Ý][\w'’-]+)"
    r"|(?<![\w.'’-])(?P<lfirst>[a-zà-ÿ][a-zà-ÿ'’-]+)[ \t]+[a-z]\.?[ \t]+(?P<llast>[a-zà-ÿ][\w'’-]+)"
)
_LOWER_WORD = re.compile(r"(?<![\w@.'’-])[^\W\d_][\w'’-]{2,}(?![\w@])")
# words in a run: a word, or a one-letter initial with or without its full stop
_CAP_SEQUENCE = re.compile(r"(?<![\w'’-])[^\W\d_a-z][\w'’.-]*(?:[ \t]+[^\W\d_a-z][\w'’.-]*)+")
_RUN_WORD = re.compile(r"(?<![\w@.'’-])([^\W\d_][\w'’-]*)(\.?)")
# cue words before a name no list knows: kin and relations, naming verbs, credits
_CUED = re.compile(
    r"\b(?:my|our|his|her|their|your)[ \t]+(?:kid|son|daughter|child|wife|husband|partner|"
    r"brother|sister|mother|father|mom|mum|dad|friend|boss|colleague|neighbour|neighbor|"
    r"grandfather|grandmother|grandson|granddaughter|uncle|aunt|cousin|nephew|niece|fiancée?|"
    r"girlfriend|boyfriend)|\b(?:was|is|were|are|be|been)[ \t]+(?:called|named)|"
    r"\b(?:directed|written|produced|composed|performed|narrated|illustrated)[ \t]+by[ \t]*:?|"
    r"\bstarring",
    re.IGNORECASE,
)
_CUE_HINTS = (
    "my ",
    "our ",
    "his ",
    "her ",
    "their ",
    "your ",
    "called",
    "named",
    "ed by",
    "starring",
)
_VERB_HINTS = (
    "live",
    "shout",
    "yell",
    "whisper",
    "smil",
    "laugh",
    "cried",
    "began",
    "given",
    "born",
    "married",
    "died",
    "repl",
    "told",
    "say",
    "said",
    "asked",
    "wrote",
)
_CUED_NAME = re.compile(r"[ \t]+((?:[^\W\d_][\w'’-]*)(?:[ \t]+[^\W\d_][\w'’-]*){0,2})")
_PERSON_VERB = re.compile(
    rf"(?:^|(?<=[.!?:]\s)|(?<=\n))[ \t>\"“]*({_WORD})[ \t]+"
    r"(?:(?P<only>lives|lived|shouted|yelled|whispered|smiled|laughed|cried|began writing|"
    r"had given|began singing|was born|married|died)|replied|told|says|said|asked|wrote)\b",
    re.IGNORECASE,
)
# an English judge's surname and rank ("Tugendhat J", "Ward LJ"), before a verb or punctuation
_JUDGE = re.compile(rf"(?<![\w'’-])({_WORD})[ \t]+(?:J|LJ|LJJ|CJ|MR)(?=[ \t]+[a-z]|[,.;:)])")
_PARTICLE_NAME = re.compile(
    rf"(?<![\w'’-])({_WORD})[ \t]+(?:van der|van den|van de|de la|van|von|de|der|den|ten|ter|"
    rf"da|di|del|della|du|bin|ibn|al)[ \t]+({_WORD})(?![\w'’-])"
)
_POSSESSIVE = re.compile(r"(?<![\w'’-])([^\W\d_][\w-]*)['’]s(?![\w'’-])")
_PRONOUN = re.compile(r"\b(?:he|him|his|himself|she|her|hers|herself)\b", re.IGNORECASE)
# a capitalised word with no capitalised word right before or after it
_LONE_CAP = re.compile(
    r"(?<![\w'’-])(?<![A-Z][\w'’-] )(?<![A-Z][\w'’-]{2} )"
    r"([^\W\d_a-z][\w'’-]+)(?![\w'’-])(?![ \t]+[^\W\d_a-z])"
)
# two capitalised words joined by "and" ("Nekolná and Pearson were...")
_PAIR_AND = re.compile(rf"(?<![\w'’-])({_WORD})[ \t]+(?:and|&)[ \t]+({_WORD})(?![\w'’-])")
_VOCATIVE = re.compile(
    rf"^[ \t\"“]*({_WORD}),[ \t]+(?:can|could|would|will|please|do|did|are|is|have|i|you|we|"
    r"let|what|where|why|how|who)\b",
    re.IGNORECASE,
)
_NAME_LINE = re.compile(
    r"(?m)^[ \t>*?|-]*((?:[A-ZÀ-Ý][a-zà-ÿ'’-]+)(?:[ \t]+[A-ZÀ-Ý][a-zà-ÿ'’-]+){1,2})[ \t]*$"
)
# one-letter words of European languages ("i", "w", "o", "y"): no initial in lower-case text
_ONE_LETTER_WORDS = frozenset("aeiouywzvskå")


def _titled(word: str) -> bool:
    """``Pearson``, ``Feal-Martinez``, ``O'Neill``: each part capitalised, the rest lower."""
    return all(p[:1].isupper() and p[1:].islower() for p in re.split(r"[-'’]", word) if p)


_CONTRACTION = re.compile(r"['’](?:m|re|ve|ll|d|t|s)$")
_NOT_SPEAKERS = frozenset(
    "note notes question answer q a re subject from to cc date time tel phone fax email e-mail "
    "agent customer client user bot system support admin ps nb warning error example source "
    "title summary tip update edit reply quote".split()
)


def _close_run(run: list[re.Match[str]], out: list[Finding]) -> None:
    """Report a run of 2-3 name words (initials inside it do not count) as a name."""
    words = [m for m in run if len(m.group(1)) > 1]
    if 2 <= len(words) <= 3 and len(run) <= 4 and len(run[-1].group(1)) > 1:
        out.append(Finding(run[0].start(), run[-1].end(1), "PERSON", 0.45, "run-name"))


class NameShapes:
    """Finds names by shape and context (see the module docstring).

    Args:
        first: known first names (lower case).
        last: known surnames (lower case).
        bad: words never taken as a name (stop words, titles, common words), lower case.
        language: the texts' language; the shapes that need English words run on ``en`` only.
    """

    def __init__(
        self, first: frozenset[str], last: frozenset[str], bad: frozenset[str], language: str
    ) -> None:
        self.first, self.last, self.bad = first, last, bad
        self.english = language == "en" and is_english_word("house") is not None

    def find(self, text: str, place_words: frozenset[str]) -> list[Finding]:
        """Return the names of every shape in ``text``."""
        out = self.speakers(text) + self.lists(text)
        if self.english:
            out += self.initials(text) + self.pairs(text) + self.verbs(text)
            out += self.name_lines(text, place_words) + self.cued(text) + self.runs(text)
            out += self.with_pronoun(text) + self.particles(text) + self.possessives(text)
        return out

    def _lower_known(self, text: str) -> list[Finding]:
        """In an all lower-case text, a known first name that is no English word (``the true
        gender of bertram``): case cannot tell it from other words, the lists can."""
        out = []
        for m in _LOWER_WORD.finditer(text):
            w = m.group()
            if w in self.first and self._nameable(w) and self._foreign(w):
                out.append(Finding(*m.span(), "PERSON", 0.45, "lower-name"))
        return out

    def particles(self, text: str) -> list[Finding]:
        """A first name, a particle and a surname (``Willemine ten Pas``, ``Joost van Dam``)."""
        out = []
        for m in _PARTICLE_NAME.finditer(text):
            a, b = m.group(1), m.group(2)
            if not (_titled(a) and _titled(b) and self._nameable(a) and self._nameable(b)):
                continue
            if a.lower() in self.first or self._foreign(a):
                out.append(Finding(m.start(), m.end(), "PERSON", 0.45, "particle-name"))
        return out

    def possessives(self, text: str) -> list[Finding]:
        """A word that is no English word, before ``'s`` (``Samoylova's tales``): someone's."""
        out = []
        cased = text.islower()
        for m in _POSSESSIVE.finditer(text):
            w = m.group(1)
            if (cased or _titled(w)) and len(w) > 2 and self._nameable(w) and self._foreign(w):
                out.append(Finding(*m.span(1), "PERSON", 0.45, "possessive-name"))
        return out

    def with_pronoun(self, text: str) -> list[Finding]:
        """A lone capitalised word that is no English word, in a text that speaks of a person
        with a pronoun (``Irenka is very reliable. You can depend on him.``). Scored below
        NER, whose places and organisations of the same shape win."""
        out = self._lower_known(text) if text.islower() else []
        if not _PRONOUN.search(text):
            return out
        for m in _LONE_CAP.finditer(text):
            w = m.group(1)
            if _titled(w) and len(w) > 2 and self._nameable(w) and self._foreign(w):
                out.append(Finding(*m.span(1), "PERSON", 0.45, "pronoun-name"))
        return out

    # -- shapes without vocabulary ---------------------------------------------------------

    def speakers(self, text: str) -> list[Finding]:
        """Speaker labels, when two or more lines start with one and one is a known name."""
        if text.count(":") < 2:
            return []
        hits = [m for m in _SPEAKER.finditer(text) if self._nameable(m.group(1))]
        hits = [m for m in hits if m.group(1).lower() not in _NOT_SPEAKERS]
        if len(hits) < 2 or not any(m.group(1).lower() in self.first for m in hits):
            return []
        return [Finding(*m.span(1), "PERSON", 0.6, "speaker-name") for m in hits]

    def lists(self, text: str) -> list[Finding]:
        """Every item of a list of three or more whose items are mostly first names."""
        out: list[Finding] = []
        if "," not in text:
            return out
        for m in _LIST.finditer(text):
            items: list[tuple[int, int, str]] = []
            for g in (1, 3):
                items.append((m.start(g), m.end(g), m.group(g)))
            for im in re.finditer(_ITEM, m.group(2)):
                s = m.start(2) + im.start()
                items.append((s, s + len(im.group()), im.group()))
            if len(items) < 3:
                continue
            named = sum(self._first_led(v) for _, _, v in items)
            if named * 2 <= len(items):
                continue
            for s, _e, v in items:
                words = list(re.finditer(r"\S+", v))
                keep = 0
                while keep < len(words) and self._nameable(words[keep].group()):
                    keep += 1  # "and Ali Yurttagül were heard": the item ends before "were"
                if keep:
                    out.append(Finding(s, s + words[keep - 1].end(), "PERSON", 0.6, "list-name"))
        return out

    # -- shapes backed by the English vocabulary -------------------------------------------

    def initials(self, text: str) -> list[Finding]:
        """A first name, a one-letter initial and a surname (``Elita B Desaulniers``)."""
        out = []
        for m in _INITIAL_NAME.finditer(text):
            first = m.group("first") or m.group("lfirst")
            last = m.group("last") or m.group("llast")
            if not (self._nameable(first) and self._nameable(last)):
                continue
            lower = m.group("lfirst") is not None
            known = first.lower() in self.first or last.lower() in self.last
            strange = self._foreign(first) or self._foreign(last)
            # lower case: a known first name, or two words that are each a name or no word
            odd = self._foreign(first) and (self._foreign(last) or last.lower() in self.last)
            if (known and (not lower or first.lower() in self.first)) or (strange and not lower):
                out.append(Finding(m.start(), m.end(), "PERSON", 0.6, "initial-name"))
            elif lower and odd and m.group(0).split()[1][0] not in _ONE_LETTER_WORDS:
                out.append(Finding(m.start(), m.end(), "PERSON", 0.5, "initial-name"))
        return out

    def pairs(self, text: str) -> list[Finding]:
        """A lower-case known first name and a word that is no English word."""
        out = []
        words = list(_LOWER_WORD.finditer(text))
        for x, y in zip(words, words[1:], strict=False):
            a, b = x.group(), y.group()
            if text[x.end() : y.start()] not in (" ", "\t") or a not in self.first:
                continue
            if self._foreign(a) and self._nameable(b) and self._foreign(b):
                out.append(Finding(x.start(), y.end(), "PERSON", 0.5, "pair-name"))
        return out

    def verbs(self, text: str) -> list[Finding]:
        """A name in no vocabulary before a verb of people, or addressed at a turn's start."""
        out = []
        low = text.lower()
        verbs = any(v in low for v in _VERB_HINTS)
        for rx in (_PERSON_VERB, _VOCATIVE) if verbs else (_VOCATIVE,):
            for m in rx.finditer(text):
                w = m.group(1)
                if not self._nameable(w):
                    continue
                cased = w[0].isupper() or text.islower()  # all lower case: case says nothing
                # only people live, shout and die: a capitalised word before such a verb is a
                # name even if it is also a word ("Walker began writing"); institutions say,
                # write and reply too ("Microsoft said"), so there it must be no English word
                only_people = rx is _PERSON_VERB and m.group("only") is not None
                if (
                    w.lower() in self.first
                    or (cased and self._foreign(w))
                    or (only_people and w[0].isupper() and w[1:].islower())
                ):
                    out.append(Finding(*m.span(1), "PERSON", 0.55, "verb-name"))
        judges = _JUDGE.finditer(text) if any(j in text for j in (" J", "LJ", "CJ", " MR")) else ()
        for m in judges:  # "Tugendhat J handed down judgment"
            w = m.group(1)
            if _titled(w) and self._nameable(w) and (self._foreign(w) or w.lower() in self.last):
                out.append(Finding(m.start(1), m.end(), "PERSON", 0.55, "judge-name"))
        for m in _PAIR_AND.finditer(text) if (" and " in text or "&" in text) else ():
            a, b = m.group(1), m.group(2)
            if not all(_titled(w) and self._nameable(w) for w in (a, b)):
                continue
            kinds = [
                self._foreign(w) or w.lower() in self.first or w.lower() in self.last
                for w in (a, b)
            ]
            if all(kinds) and (self._foreign(a) or self._foreign(b)):
                out.append(Finding(*m.span(1), "PERSON", 0.5, "pair-name"))
                out.append(Finding(*m.span(2), "PERSON", 0.5, "pair-name"))
        return out

    def cued(self, text: str) -> list[Finding]:
        """Capitalised name words after a relation, a naming verb or a credit (``my kid Agi``,
        ``was called Djevad Šušulić``, ``Directed By: Arquímedes Ballesteros``)."""
        out: list[Finding] = []
        low = text.lower()
        if not any(h in low for h in _CUE_HINTS):
            return out
        for c in _CUED.finditer(text):
            m = _CUED_NAME.match(text, c.end())
            if not m:
                continue
            words = list(re.finditer(r"\S+", m.group(1)))
            keep = 0
            for w in words:
                v = w.group()
                if not (v[0].isupper() and self._nameable(v)):
                    break
                if not (v.lower() in self.first or v.lower() in self.last or self._foreign(v)):
                    break
                keep += 1
            if keep:
                end = m.start(1) + words[keep - 1].end()
                out.append(Finding(m.start(1), end, "PERSON", 0.55, "cued-name"))
        return out

    def runs(self, text: str) -> list[Finding]:
        """Two or three capitalised words in a row, none an English word (one-letter initials
        allowed inside): ``Esat Jeknić``, ``Halldór Ó Árnþórsson``. Scored below NER, whose
        places and organisations of the same shape win."""
        out: list[Finding] = []
        for cand in _CAP_SEQUENCE.finditer(text):  # only stretches of 2+ non-lower-case words
            run: list[re.Match[str]] = []
            for m in _RUN_WORD.finditer(text, cand.start(), cand.end()):
                ok = self._run_word(m.group(1))
                if ok and (not run or text[run[-1].end() : m.start()] in (" ", "\t")):
                    run.append(m)
                    continue
                _close_run(run, out)
                run = [m] if ok else []
            _close_run(run, out)
        return out

    def _run_word(self, w: str) -> bool:
        """A one-letter initial, or a capitalised word that is no English word."""
        if not w[0].isupper():
            return False
        return len(w) == 1 or (w[1:].islower() and self._nameable(w) and self._foreign(w))

    def name_lines(self, text: str, place_words: frozenset[str]) -> list[Finding]:
        """A signature-like line: 2-3 capitalised words, none an English word, with a known name
        word among them, or written twice, or heading the text (``Gyala Antall``; not ``Otc
        Markets``)."""
        out: list[Finding] = []
        if "\n" not in text:
            return out
        for m in _NAME_LINE.finditer(text):
            words = m.group(1).split()
            lows = [w.lower() for w in words]
            if any(w in place_words or not self._nameable(w) for w in lows):
                continue
            heading = m.start() == 0 and text[m.end() : m.end() + 2] == "\n\n"
            twice = text.count(m.group(1)) > 1
            named = [w in self.first or w in self.last or self._foreign(w) for w in lows]
            # a heading or a repeated line needs one such word, any other line all of them
            if not (all(named) or ((heading or twice) and any(named))):
                continue
            if heading or twice or any(w in self.first or w in self.last for w in lows):
                out.append(Finding(*m.span(1), "PERSON", 0.55, "line-name"))
        return out

    # -- word tests --------------------------------------------------------------------------

    def _nameable(self, word: str) -> bool:
        w = word.lower()
        if w.endswith(("'s", "’s")):
            w = w[:-2]
        if _CONTRACTION.search(w):  # "I'm", "we'll", "don't"
            return False
        return len(w) >= 2 and w not in self.bad

    def _first_led(self, item: str) -> bool:
        """A known first name (and surname), or two or three capitalised words that are no
        English words (``Resul Sadak``)."""
        words = item.lower().split()
        if words[0] in self.first and (len(words) == 1 or words[1] not in self.bad):
            return True
        parts = item.split()
        return (
            self.english
            and len(parts) > 1
            and all(p[0].isupper() and self._foreign(p) for p in parts)
        )

    def _foreign(self, word: str, _is: Callable[[str], bool | None] = is_english_word) -> bool:
        return _is(word) is False
