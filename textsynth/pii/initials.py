"""People named by an initial: ``K``, ``M.``, ``W.K.`` (court rulings, case notes, reports).

A capital letter standing alone is a person only where the words say so; ``Plan B``, ``vitamin
D``, ``section A`` and the article ``A`` are not. An initial is taken when

* it has a possessive: ``K's evidence``;
* a person's role, kin or title comes right before it: ``the co-accused B``, ``daughter M.``,
  ``the applicant and W.K.``;
* a verb that people do follows it: ``K claimed``, ``W.K lodged a petition``;
* it stands alone in brackets or quotes: ``[K]``, ``"K"``;
* it is listed with one of those: ``A, B, H, N and R``.

An initial taken once is a person wherever it recurs alone in the same document (``paid K for
the property``), but a one-letter word of a language only before a verb (not ``A judge``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from textsynth.pii.entities import Finding

__all__ = ["find_initials"]

_UP = "A-ZÀ-ÖØ-Þ"
# one capital, or dotted capitals ("W.K.", "C.Ç"), standing alone
_INITIAL = re.compile(
    rf"([{_UP}](?<![\w.’'&/@-][{_UP}])(?:\.[{_UP}]){{0,2}}\.?)(?![\w&/@-]|[’']?\d|\.[{_UP}\d])"
)
_ABBREVIATIONS = frozenset(
    "I A.M. P.M. U.K. U.S. U.N. E.U. N.B. P.S. D.C. L.A. N.Y. I.D. O.K. R.I.P. V.S. A.D. B.C. "
    "Q.C. K.C. U.S.A. U.S.S.R. E.C. E.C.H.R. S.A. N.V. B.V. A.G. G.B. U.A.E. P.O. T.V.".split()
)
_ROLES = (
    r"applicants?|co-accused|accused|complainants?|witness(?:es)?|victims?|defendants?|"
    r"claimants?|plaintiffs?|respondents?|appellants?|petitioners?|patients?|suspects?|"
    r"prisoners?|detainees?|employees?|clients?|customers?|tenants?|landlords?|owners?|heirs?|"
    r"child|children|son|sons|daughters?|wife|husband|spouse|partner|mother|father|parents?|"
    r"brothers?|sisters?|uncle|aunt|cousins?|nephew|niece|grandmother|grandfather|"
    r"grandson|granddaughter|friends?|neighbou?rs?|officers?|inspectors?|doctors?|nurses?|"
    r"judges?|lawyers?|counsel|solicitors?|experts?|informants?|minors?|"
    r"mr|mrs|ms|miss|messrs|dr|prof|mme|mlle|madame|monsieur|herr|frau|ma[îi]tre|"
    r"requérante?s?|témoins?|fils|fille|épouse|époux|mère|père|frère|sœur|"
    r"beschwerdeführer(?:in)?|zeugin|zeuge|kläger(?:in)?|sohn|tochter|ehefrau|ehemann"
)
_ROLE_BEFORE = re.compile(
    rf"\b(?:{_ROLES})\.?(?:[ \t]+(?:and|et|und))?[ \t,(]*$|"  # "the complainant (M.)"
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|Mme|Herr|Frau)\.?[ \t]+[A-Z][\w'’-]+[ \t]+(?:and|or|et|und)[ \t]+$",
    re.IGNORECASE,
)
_VERBS = (
    r"was|were|had|has|is|did|does|said|says|stated|states|told|tells|asked|asks|gave|gives|"
    r"lodged|filed|brought|testified|alleged|alleges|complained|complains|denied|denies|"
    r"admitted|refused|refuses|failed|died|lived|lives|moved|returned|left|went|came|made|"
    r"submitted|submits|applied|received|requested|replied|argued|argues|maintained|appealed|"
    r"wrote|writes|informed|explained|confirmed|agreed|claimed|claims|wanted|wants|knew|saw|"
    r"visited|attended|worked|works|married|divorced|signed|paid|sold|bought|owned|owns|"
    r"would|could|should|will|can|may|might|must|also|himself|herself|"
    r"avait|était|est|fut|déclare|déclara|a[ \t]+(?:déclaré|dit|indiqué|affirmé|été|porté|saisi)|"
    r"hatte|war|ist|sagte|erklärte"
)
# lower case only: "A Is for Atom" is a title, not a sentence about someone
_VERB_AFTER = re.compile(rf"[ \t]+(?:{_VERBS})\b|,?[ \t]+(?:who|whom|whose|qui|der|die)\b")
_POSSESSIVE = re.compile(r"[’']s\b")
_ENCLOSED = re.compile(r"[\[“\"‘«][ \t]?$")
_CLOSED = re.compile(r"[ \t]?[\]”\"’»]")
# a noun that names a thing by a letter: "Plan B", "vitamin D", "section A", "Annex C"
_LABEL_NOUNS = frozenset(
    "plan plans vitamin vitamins hepatitis section sections annex annexe appendix schedule "
    "article articles part parts paragraph type types group groups class category grade "
    "block building room rooms terminal gate level zone row seat phase stage option options "
    "model size form line item chapter volume letter series team division unit wing floor "
    "platform track box batch version figure table note scenario route sector lot area ward "
    "company tier window counter desk channel point points list exhibit document file case "
    "cell bay hall question answer step method variant strain protocol sample apartment flat "
    "suite apt pier wave press enter choose select pick hit key button tick mark "
    "partie titre livre chapitre catégorie classe groupe bâtiment salle anlage teil "
    "abschnitt gruppe klasse kategorie typ stufe".split()
)
_WORD_BEFORE = re.compile(r"([^\W\d_][\w'’-]*)[ \t]*[\[“\"‘«(]?$")
_LIST_LINK = re.compile(r"[ \t]*(?:,|,?[ \t]+(?:and|or|et|ou|und|oder))[ \t]+")
_NEXT_WORD = re.compile(r"[ \t]+([a-zà-ÿ][\w'’-]*)")


# one-letter words of a language: taken as a recurring initial only before a verb ("A judge")
_ARTICLES = frozenset("A À O Y".split())


def _label_before(text: str, start: int) -> bool:
    m = _WORD_BEFORE.search(text, max(0, start - 30), start)
    return m is not None and m.group(1).lower() in _LABEL_NOUNS


def _enclosed(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` stands alone in brackets or quotes (``[K]``, ``"K"``)."""
    return bool(_ENCLOSED.search(text, max(0, start - 2), start) and _CLOSED.match(text, end))


def _evidence(text: str, start: int, end: int) -> bool:
    """Whether the words around the initial ``text[start:end]`` show it names a person."""
    if _label_before(text, start):
        return False
    if _POSSESSIVE.match(text, end) or _enclosed(text, start, end):
        return True
    if _ROLE_BEFORE.search(text, max(0, start - 40), start):
        return True
    if text[start:end] == "A" and _sentence_start(text, start):
        return False  # the article: "A was" rarely starts a sentence about a person
    return _VERB_AFTER.match(text, end) is not None


def _sentence_start(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start].rstrip()
    return not before or before[-1] in ".!?:;\n"


def _runs(text: str, spans: list[tuple[int, int]]) -> list[list[int]]:
    """Group the indexes of initials that form one list (``A, B, H, N and R``)."""
    groups: list[list[int]] = []
    for i, (s, _e) in enumerate(spans):
        if groups and _LIST_LINK.fullmatch(text, spans[groups[-1][-1]][1], s):
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _alone_here(text: str, start: int, end: int) -> bool:
    """Whether a recurring initial stands as a name here: not an article before a noun."""
    if _label_before(text, start):
        return False
    if text[start:end] not in _ARTICLES:
        return True
    m = _NEXT_WORD.match(text, end)
    return m is None or _VERB_AFTER.match(text, end) is not None


def find_initials(texts: Sequence[str]) -> list[list[Finding]]:
    """Return, per text of one document, the initials that name a person."""
    found: list[list[Finding]] = []
    people: set[str] = set()
    candidates: list[list[tuple[int, int]]] = []
    for text in texts:
        spans = [
            m.span(1)
            for m in _INITIAL.finditer(text)
            if m.group(1) not in _ABBREVIATIONS and m.group(1).rstrip(".") != "I"
        ]
        candidates.append(spans)
        hits: set[int] = set()
        for group in _runs(text, spans):
            if _label_before(text, spans[group[0]][0]):
                continue  # "options A, B and C were"
            whole = (spans[group[0]][0], spans[group[-1]][1])
            if any(_evidence(text, *spans[i]) for i in group) or _enclosed(text, *whole):
                hits.update(group)
        people.update(text[spans[i][0] : spans[i][1]].rstrip(".") for i in hits)
        found.append([Finding(*spans[i], "PERSON", 0.6, "initial-name") for i in sorted(hits)])
    if not people:
        return found
    for text, spans, fs in zip(texts, candidates, found, strict=True):
        taken = {(f.start, f.end) for f in fs}
        for s, e in spans:
            if (s, e) not in taken and text[s:e].rstrip(".") in people and _alone_here(text, s, e):
                fs.append(Finding(s, e, "PERSON", 0.55, "initial-name"))
    return found
