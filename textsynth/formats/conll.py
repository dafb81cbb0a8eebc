"""CoNLL-style BIO tagging: one token and tag per line, ``# text`` / ``# intent`` headers.

Character spans become token tags here, so a span that cuts a token is widened to whole tokens
(and counted in a warning, as spaCy's W030 does); canonical synonym values are not kept.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterable, Iterator

from textsynth.errors import InputError, Location
from textsynth.formats.base import Format
from textsynth.io import atomic_write, read_text
from textsynth.registry import formats
from textsynth.types import Span, Utterance

logger = logging.getLogger(__name__)

_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)


def tokenize(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` of each token: runs of word characters and single punctuation."""
    return [m.span() for m in _TOKEN.finditer(text)]


def bio_tags(u: Utterance) -> tuple[list[tuple[int, int]], list[str], int]:
    """Return tokens, their BIO tags, and how many spans did not align to token boundaries."""
    toks = tokenize(u.text)
    tags = ["O"] * len(toks)
    misaligned = 0
    for s in u.spans:
        inside = [i for i, (a, b) in enumerate(toks) if a < s.end and b > s.start]
        if not inside:
            misaligned += 1
            continue
        if toks[inside[0]][0] != s.start or toks[inside[-1]][1] != s.end:
            misaligned += 1
        for k, i in enumerate(inside):
            tags[i] = ("B-" if k == 0 else "I-") + s.label
    return toks, tags, misaligned


@formats.register()
class ConllFormat(Format):
    """BIO tags, one utterance per block; streamed."""

    name = "conll"
    extensions = (".conll", ".bio")
    streaming = True

    def write(self, utts: Iterable[Utterance], path: str | os.PathLike[str]) -> int:  # noqa: D102
        n = bad = 0
        with atomic_write(path) as fh:
            for u in utts:
                toks, tags, mis = bio_tags(u)
                bad += mis
                fh.write(f"# text = {u.text}\n# intent = {u.intent}\n# language = {u.language}\n")
                for (a, b), tag in zip(toks, tags, strict=True):
                    fh.write(f"{u.text[a:b]}\t{tag}\n")
                fh.write("\n")
                n += 1
        if bad:
            logger.warning(
                "%d span(s) did not align to token boundaries and were widened to whole "
                "tokens in %s",
                bad,
                path,
            )
        return n

    def read(self, path: str | os.PathLike[str]) -> Iterator[Utterance]:  # noqa: D102
        block: list[tuple[int, str]] = []
        for lineno, line in enumerate([*read_text(path).split("\n"), ""], 1):
            if line.strip():
                block.append((lineno, line))
                continue
            if block:
                yield _parse_block(block, str(path))
                block = []


def _parse_block(block: list[tuple[int, str]], path: str) -> Utterance:
    head: dict[str, str] = {}
    rows: list[tuple[int, str, str]] = []
    for lineno, line in block:
        if line.startswith("# "):
            k, _, v = line[2:].partition(" = ")
            head[k.strip()] = v
            continue
        tok, sep, tag = line.rpartition("\t")
        if not sep or not (tag == "O" or tag[:2] in ("B-", "I-")):
            raise InputError(
                "expected 'token<TAB>tag' with tag O, B-x or I-x",
                Location(path, lineno),
                source_line=line,
            )
        rows.append((lineno, tok, tag))
    text = head.get("text", " ".join(t for _, t, _ in rows))
    toks = tokenize(text)
    if len(toks) != len(rows):
        raise InputError(
            f"{len(rows)} token lines but '# text' has {len(toks)} tokens",
            Location(path, block[0][0]),
            hint="keep the '# text = ...' header in sync",
        )
    spans: list[Span] = []
    cur: list = []
    for (a, b), (_, _, tag) in zip(toks, rows, strict=True):
        if tag.startswith("I-") and cur and cur[2] == tag[2:]:
            cur[1] = b
            continue
        if cur:
            spans.append(Span(*cur))
            cur = []
        if tag != "O":
            cur = [a, b, tag[2:]]
    if cur:
        spans.append(Span(*cur))
    return Utterance(
        text,
        head.get("intent", ""),
        tuple(spans),
        language=head.get("language", "en"),
        source=f"conll:{path}:{block[0][0]}",
    )
