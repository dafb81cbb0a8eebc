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

import functools
import re
from collections.abc import Callable

from textsynth.pii.entities import Finding
from textsynth.pii.recognizers.base import lower_form
from textsynth.pii.vocabulary import is_english_word

__all__ = ["SHADOWED_NAMES", "NameShapes"]

# shapes whose name still counts where it recurs alone when NER's entity won over it
SHADOWED_NAMES = frozenset(
    {"possessive-name", "run-name", "pronoun-name", "lower-name", "initial-name"}
)

_WORD = r"[^\W\d_][\w'’-]*"
_SPEAKER = re.compile(rf"(?m)^[ \t>]*({_WORD})[ \t]*:")
_ITEM = rf"{_WORD}(?:[ \t]+{_WORD}){{0,2}}"
_ITEM_RX = re.compile(_ITEM)
_WORD_FULL = re.compile(_WORD)
_ITEM_FULL = re.compile(_ITEM)
_CONJ = re.compile(r",?[ \t]+(?:and|or|&|et|und)[ \t]+")
# a one-letter initial between two words (lower case: not a one-letter word of a language)
# spaces after a letter: led by the space, not the look-behind, so the scan skips to spaces
_INITIAL_MID = re.compile(r"[ \t](?<=[^\W\d_][ \t])[ \t]*([A-Za-z])\.?[ \t]+(?=[^\W\d_])")
_WORD_AFTER = re.compile(r"[^\W\d_][\w'’-]*(?![\w'’-])")
_LOWER_WORD = re.compile(r"(?<![\w@.'’-])[^\W\d_][\w'’-]{2,}(?![\w@])")
# words in a run: a word, or a one-letter initial with or without its full stop
_CAP_SEQUENCE = re.compile(
    r"[^\W\d_a-z](?<![\w'’-][^\W\d_a-z])[\w'’.-]*(?:[ \t]+[^\W\d_a-z][\w'’.-]*)+"
)
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
_CUED_LOWER = lower_form(_CUED) or _CUED  # on the lower-cased text: several times faster
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
    r"(?<=[^\W\d_'’-])[ \t]+(?:(?P<only>lives|lived|shouted|yelled|whispered|smiled|laughed|"
    r"cried|began writing|had given|began singing|was born|married|died)|"
    r"replied|told|says|said|asked|wrote)\b",
    re.IGNORECASE,
)
# an English judge's rank after the surname ("Tugendhat J", "Ward LJ"), before a verb or stop
_JUDGE = re.compile(r"[ \t](?<=[^\W\d_][ \t])[ \t]*(?:J|LJ|LJJ|CJ|MR)(?=[ \t]+[a-z]|[,.;:)])")
# two words joined by "and" ("Nekolná and Pearson")
_AND = re.compile(r"[ \t](?<=[^\W\d_][ \t])[ \t]*(?:and|&)[ \t]+(?=[^\W\d_])")
_PARTICLE_NAME = re.compile(
    rf"(?<![\w'’-])({_WORD})[ \t]+(?:van der|van den|van de|de la|van|von|de|der|den|ten|ter|"
    rf"da|di|del|della|du|bin|ibn|al)[ \t]+({_WORD})(?![\w'’-])"
)
_PARTICLE_HINTS = (
    " van ",
    " von ",
    " de ",
    " der ",
    " den ",
    " ten ",
    " ter ",
    " da ",
    " di ",
    " del ",
    " della ",
    " du ",
    " bin ",
    " ibn ",
    " al ",
    " de la ",
)
# led by the capital, the look-behind after it: the scan skips to capitals
_CAP_WORD = re.compile(r"[^\W\d_a-z](?<![\w'’-][^\W\d_a-z])[\w'’-]+")
_POSSESSIVE = re.compile(r"(?<![\w'’-])([^\W\d_][\w-]*)['’]s(?![\w'’-])")
_PRONOUN = re.compile(r"\b(?:he|him|his|himself|she|her|hers|herself)\b", re.IGNORECASE)
# a capitalised word with no capitalised word right before or after it
_LONE_CAP = re.compile(
    r"(?<![\w'’-])(?<![A-Z][\w'’-] )(?<![A-Z][\w'’-]{2} )"
    r"([^\W\d_a-z][\w'’-]+)(?![\w'’-])(?![ \t]+[^\W\d_a-z])"
)
_WORD_BEFORE = re.compile(rf"(?<![\w'’-]){_WORD}\Z")


def _sentence_start(text: str, i: int) -> bool:
    """Whether position ``i`` starts a sentence, a line or the text (spaces and quotes may
    come between)."""
    j = i
    while j > 0 and text[j - 1] in ' \t>"“':
        j -= 1
    return j == 0 or text[j - 1] in ".!?:\n"


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


@functools.lru_cache(maxsize=1 << 16)  # pure, and the same words recur in every text
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
        if not self.english:
            return out
        # the capitalised words that could be names: most shapes need one (a cheap gate)
        caps = {w for w in set(_CAP_WORD.findall(text)) if _titled(w) and self._nameable(w)}
        foreign = {w for w in caps if self._foreign(w)}
        named = foreign or any(w.lower() in self.first or w.lower() in self.last for w in caps)
        out += self.initials(text) + self.pairs(text) + self.verbs(text)
        out += self.name_lines(text, place_words)
        if named:
            out += self.cued(text) + self.particles(text)
        if foreign:
            out += self.runs(text) + self.with_pronoun(text)
        elif text.islower():
            out += self._lower_known(text)
        if foreign or text.islower():
            out += self.possessives(text)
        return out

    def _lower_known(self, text: str) -> list[Finding]:
        """In an all lower-case text, a known first name that is no English word (``the true
        gender of bertram``): case cannot tell it from other words, the lists can."""
        out: list[Finding] = []
        if not self.first.intersection(_LOWER_WORD.findall(text)):
            return out
        for m in _LOWER_WORD.finditer(text):
            w = m.group()
            if w in self.first and self._nameable(w) and self._foreign(w):
                out.append(Finding(*m.span(), "PERSON", 0.45, "lower-name"))
        return out

    def particles(self, text: str) -> list[Finding]:
        """A first name, a particle and a surname (``Willemine ten Pas``, ``Joost van Dam``)."""
        out: list[Finding] = []
        if not any(p in text for p in _PARTICLE_HINTS):
            return out
        for m in _PARTICLE_NAME.finditer(text):
            a, b = m.group(1), m.group(2)
            if not (_titled(a) and _titled(b) and self._nameable(a) and self._nameable(b)):
                continue
            if a.lower() in self.first or self._foreign(a):
                out.append(Finding(m.start(), m.end(), "PERSON", 0.45, "particle-name"))
        return out

    def possessives(self, text: str) -> list[Finding]:
        """A word that is no English word, before ``'s`` (``Samoylova's tales``): someone's."""
        out: list[Finding] = []
        if "'s" not in text and "’s" not in text:
            return out
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
        low = text.lower()
        if not any(p in low for p in ("he", "him", "his", "she", "her")) or not _PRONOUN.search(
            text
        ):
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
        """Every item of a list of three or more whose items are mostly first names.

        Found from each ``and``/``or`` backwards over the comma-separated items (a regex over
        the whole list backtracks badly on long paragraphs)."""
        out: list[Finding] = []
        if text.count(",") < 1:
            return out
        for c in _CONJ.finditer(text):
            after = _ITEM_RX.match(text, c.end())
            if not after or "," not in text[max(0, c.start() - 200) : c.start()]:
                continue
            items = [(after.start(), after.end(), after.group())]
            pos, lo = c.start(), max(0, c.start() - 400)
            while pos > lo:
                comma = text.rfind(",", lo, pos)
                seg_start = comma + 1 if comma >= 0 else lo
                seg = text[seg_start:pos]
                words = list(re.finditer(r"\S+", seg))
                if not words:
                    break
                if comma < 0 or len(words) > 3 or not _ITEM_FULL.fullmatch(seg.strip(" \t")):
                    tail = words[-3:]  # the first item: the last words before its comma
                    items.append(
                        (
                            seg_start + tail[0].start(),
                            seg_start + tail[-1].end(),
                            seg[tail[0].start() : tail[-1].end()],
                        )
                    )
                    break
                items.append(
                    (
                        seg_start + words[0].start(),
                        seg_start + words[-1].end(),
                        seg[words[0].start() : words[-1].end()],
                    )
                )
                pos = comma
            if len(items) < 3:
                continue
            named = sum(self._first_led(v) for _, _, v in items)
            if named * 2 <= len(items):
                continue
            for k, (s, e, v) in enumerate(items):
                words = list(re.finditer(r"\S+", v))
                if k == len(items) - 1:  # "Present were Ana Lima": the item starts at "Ana"
                    keep = len(words)
                    while keep and self._item_word(words[keep - 1].group()):
                        keep -= 1
                    if keep < len(words):
                        out.append(Finding(s + words[keep].start(), e, "PERSON", 0.6, "list-name"))
                    continue
                keep = 0
                while keep < len(words) and self._item_word(words[keep].group()):
                    keep += 1  # "and Ali Yurttagül were heard": the item ends before "were"
                if keep:
                    out.append(Finding(s, s + words[keep - 1].end(), "PERSON", 0.6, "list-name"))
        return out

    # -- shapes backed by the English vocabulary -------------------------------------------

    def initials(self, text: str) -> list[Finding]:
        """A first name, a one-letter initial and a surname (``Elita B Desaulniers``).

        Found from the initial outwards (a single letter between two words is rare)."""
        out = []
        for i in _INITIAL_MID.finditer(text):
            before = _WORD_BEFORE.search(text, max(0, i.start() - 40), i.start())
            after = _WORD_AFTER.match(text, i.end())
            if not (before and after):
                continue
            first, last, letter = before.group(), after.group(), i.group(1)
            lower = letter.islower()
            if lower and letter in _ONE_LETTER_WORDS and first not in self.first:
                continue  # "sprawy w postępowaniu", "of a case": a word, not an initial
            if (
                lower != (first.islower() and last.islower())
                or not lower
                and not (_titled(first) and last[0].isupper())
            ):
                continue  # "Elita B Desaulniers" or "leidy t muris", not a mix
            if not (self._nameable(first) and self._nameable(last)):
                continue
            known = first.lower() in self.first or last.lower() in self.last
            strange = self._foreign(first) or self._foreign(last)
            # lower case: a known first name, or two words that are each a name or no word
            odd = self._foreign(first) and (self._foreign(last) or last.lower() in self.last)
            if (known and (not lower or first.lower() in self.first)) or (strange and not lower):
                out.append(Finding(before.start(), after.end(), "PERSON", 0.6, "initial-name"))
            elif lower and odd and letter not in _ONE_LETTER_WORDS:
                out.append(Finding(before.start(), after.end(), "PERSON", 0.5, "initial-name"))
        return out

    def pairs(self, text: str) -> list[Finding]:
        """A lower-case known first name and a word that is no English word."""
        out: list[Finding] = []
        if not self.first.intersection(_LOWER_WORD.findall(text)):
            return out
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
        found: list[tuple[int, int, bool]] = []  # (word start, end, only people do the verb)
        if any(v in low for v in _VERB_HINTS):
            for v in _PERSON_VERB.finditer(text):  # the verb first, then the word before it
                before = _WORD_BEFORE.search(text, max(0, v.start() - 40), v.start())
                if before and _sentence_start(text, before.start()):
                    found.append((*before.span(), v.group("only") is not None))
        voc = _VOCATIVE.match(text)
        if voc:
            found.append((*voc.span(1), False))
        for start, end, only_people in found:
            w = text[start:end]
            if not self._nameable(w):
                continue
            cased = w[0].isupper() or text.islower()  # all lower case: case says nothing
            # only people live, shout and die: a capitalised word before such a verb is a
            # name even if it is also a word ("Walker began writing"); institutions say,
            # write and reply too ("Microsoft said"), so there it must be no English word
            if (
                w.lower() in self.first
                or (cased and self._foreign(w))
                or (only_people and w[0].isupper() and w[1:].islower())
            ):
                out.append(Finding(start, end, "PERSON", 0.55, "verb-name"))
        for r in _JUDGE.finditer(text):  # "Tugendhat J handed down judgment"
            m = _WORD_BEFORE.search(text, max(0, r.start() - 40), r.start())
            w = m.group() if m else ""
            if m and _titled(w) and self._nameable(w):
                if self._foreign(w) or w.lower() in self.last:
                    out.append(Finding(m.start(), r.end(), "PERSON", 0.55, "judge-name"))
        for c in _AND.finditer(text):  # "Nekolná and Pearson were..."
            ma = _WORD_BEFORE.search(text, max(0, c.start() - 40), c.start())
            mb = _WORD_AFTER.match(text, c.end())
            if not (ma and mb):
                continue
            a, b = ma.group(), mb.group()
            if not all(_titled(w) and self._nameable(w) for w in (a, b)):
                continue
            kinds = [
                self._foreign(w) or w.lower() in self.first or w.lower() in self.last
                for w in (a, b)
            ]
            if all(kinds) and (self._foreign(a) or self._foreign(b)):
                out.append(Finding(*ma.span(), "PERSON", 0.5, "pair-name"))
                out.append(Finding(*mb.span(), "PERSON", 0.5, "pair-name"))
        return out

    def cued(self, text: str) -> list[Finding]:
        """Capitalised name words after a relation, a naming verb or a credit (``my kid Agi``,
        ``was called Djevad Šušulić``, ``Directed By: Arquímedes Ballesteros``)."""
        out: list[Finding] = []
        low = text.lower()
        if not any(h in low for h in _CUE_HINTS):
            return out
        for c in _CUED_LOWER.finditer(low) if len(low) == len(text) else _CUED.finditer(text):
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

    def _item_word(self, word: str) -> bool:
        return _WORD_FULL.fullmatch(word) is not None and self._nameable(word)

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
