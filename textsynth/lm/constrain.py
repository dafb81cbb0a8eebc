"""Constrained decoding of slot markup: at each step only well-formed ``[value](label)`` can follow.

The allowed language is one regular expression per intent (:func:`markup_regex`): one line of
text with ``[value](label)`` spans whose label is one of the intent's labels, balanced brackets,
a non-empty value that neither starts nor ends with a space, and none of the characters that make
HTML, templates, pipes or escapes (``< > { } | \\``), no tab or carriage return, and no ``://``
(URLs). A completion ends at end-of-sequence or after one newline (prompt mode writes a list
item, then a newline).

The token-level automaton comes from `llguidance <https://github.com/guidance-ai/llguidance>`_
(MIT, a Rust matcher that reads a Hugging Face fast tokenizer directly; about 60 µs per mask on
SmolLM2's 49k vocabulary). :class:`MarkupConstraint` keeps one matcher per batch row for the
pruned sampler of :mod:`textsynth.lm.generation`; :func:`markup_logits_processor` wraps the same
matchers as a ``transformers`` ``LogitsProcessor`` for ``model.generate``. Other backends can
take :func:`markup_regex` as their own guided-decoding regex.

A tokenizer that llguidance cannot read (a slow tokenizer, an unknown format) or a missing
``llguidance`` gives ``None`` from :func:`build_constraint`, with a warning that decoding is not
constrained: the markup filter still rejects malformed outputs afterwards.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

__all__ = [
    "BANNED_CHARS",
    "MarkupConstraint",
    "build_constraint",
    "labels_for",
    "markup_logits_processor",
    "markup_regex",
]

logger = logging.getLogger(__name__)

BANNED_CHARS = "[]()\\<>{}|\n\r\t"
"""Characters that plain text and slot values may not contain (markup, HTML, templates, pipes)."""

_TOKENIZERS: dict[int, Any] = {}


def _class(extra: str = "") -> str:
    """Return a negated character class excluding the banned characters and ``extra``."""
    banned = "".join(sorted(set(BANNED_CHARS + extra)))
    return "[^" + "".join("\\" + c if c in "[]\\^-" else _ctl(c) for c in banned) + "]"


def _ctl(c: str) -> str:
    return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(c, c)


def markup_regex(labels: Iterable[str], *, newline_end: bool = True) -> str:
    """Return the regex of one well-formed markup line using only ``labels``.

    Args:
        labels: the slot labels allowed (an intent's labels); none: plain text only.
        newline_end: allow one trailing newline (a list item in prompt mode ends with it).

    Returns:
        A regex in the common syntax of Rust ``regex``, Python ``re`` and outlines (no
        look-around), matching the whole completion.
    """
    escaped = r"\\[\[\]()]"  # markup's escaped brackets: \( \) \[ \] in plain text
    # any text char (a colon never begins '://'), or an escaped bracket
    char = f"(?:{_class(':')}|:{_class(':/')}|{escaped})"
    solid = f"(?:{_class(': ')}|:{_class(':/ ')}|{escaped})"  # the same, but not a space
    value = f"{solid}(?:{char}*{solid})?"
    names = sorted(set(labels))
    if names:
        label = "(?:" + "|".join(re.escape(n) for n in names) + ")"
        # a synonym: [NYC](city:New York)
        span = f"\\[{value}\\]\\({label}(?::{value})?\\)"
        first, item = f"(?:{solid}|{span})", f"(?:{char}|{span})"
    else:
        first, item = solid, char
    return f" ?{first}{item}*" + ("\\n?" if newline_end else "")


def _llguidance_tokenizer(tokenizer: Any) -> Any:
    """Return the llguidance view of a Hugging Face tokenizer (cached per tokenizer object)."""
    key = id(tokenizer)
    if key not in _TOKENIZERS:
        import llguidance.hf

        _TOKENIZERS[key] = (tokenizer, llguidance.hf.from_tokenizer(tokenizer))
    return _TOKENIZERS[key][1]


class MarkupConstraint:
    """Per-row markup matchers over one tokenizer, one grammar per label set.

    Args:
        tokenizer: a Hugging Face fast tokenizer.
        labels_by_key: allowed slot labels per key (an intent); rows name their key.
    """

    def __init__(self, tokenizer: Any, labels_by_key: Mapping[str, Sequence[str]]) -> None:
        import llguidance

        self.ll_tokenizer = _llguidance_tokenizer(tokenizer)
        self.eos = int(tokenizer.eos_token_id)
        self.vocab_size = int(self.ll_tokenizer.vocab_size)
        self.regex = {k: markup_regex(v) for k, v in labels_by_key.items()}
        self._templates: dict[str, Any] = {}
        for key, rx in self.regex.items():
            grammar = llguidance.LLMatcher.grammar_from_regex(rx)
            matcher = llguidance.LLMatcher(self.ll_tokenizer, grammar, log_level=0)
            if matcher.is_error():
                raise ValueError(f"bad markup grammar for {key!r}: {matcher.get_error()}")
            self._templates[key] = matcher

    def matchers(self, keys: Sequence[str]) -> list[Any]:
        """Return a fresh matcher for each row key."""
        return [self._templates[k].deep_copy() for k in keys]

    def allowed(self, matchers: Sequence[Any], width: int, device: Any = None) -> Any:
        """Return a ``(rows, width)`` bool tensor: the tokens each matcher allows next.

        Columns past the tokenizer's vocabulary (padding rows of an output layer) are never
        allowed. A matcher in an error or stopped state allows only end-of-sequence.
        """
        import torch

        words = (self.vocab_size + 31) // 32
        bits = torch.zeros((len(matchers), words), dtype=torch.int32)
        for i, m in enumerate(matchers):
            v = bits[i]
            m.unsafe_compute_mask_ptr(v.data_ptr(), v.numel() * v.element_size())
        shifts = torch.arange(32, dtype=torch.int32)
        mask = ((bits.unsqueeze(-1) >> shifts) & 1).bool().view(len(matchers), -1)
        mask = mask[:, : min(width, self.vocab_size)]
        if width > mask.shape[1]:
            pad = torch.zeros((len(matchers), width - mask.shape[1]), dtype=torch.bool)
            mask = torch.cat([mask, pad], dim=1)
        dead = ~mask.any(dim=1)
        if bool(dead.any()):  # finished or broken rows: only end-of-sequence
            mask[dead, self.eos] = True
        return mask.to(device) if device is not None else mask

    @staticmethod
    def try_advance(matchers: Sequence[Any], tokens: Sequence[int]) -> list[bool]:
        """Feed each matcher its token if the grammar allows it; return which were taken."""
        out = []
        for m, t in zip(matchers, tokens, strict=True):
            out.append(bool(m.try_consume_tokens([int(t)])) if not m.is_stopped() else False)
        return out

    @staticmethod
    def advance(matchers: Sequence[Any], tokens: Sequence[int]) -> None:
        """Feed each matcher the token its row sampled."""
        for m, t in zip(matchers, tokens, strict=True):
            if not m.is_stopped():
                m.consume_token(int(t))


def constraint_key(labels: Iterable[str]) -> str:
    """Return the key of a label set in a :class:`MarkupConstraint` (order does not matter)."""
    return "\x1f".join(sorted(labels))


def labels_for(seeds: Iterable[Any], intents: Sequence[str], scope: str = "intent") -> dict:
    """Return the allowed slot labels per intent: its seeds' labels, or all (``scope="all"``)."""
    by: dict[str, set[str]] = {i: set() for i in intents}
    every: set[str] = set()
    for u in seeds:
        labels = {s.label for s in u.spans}
        every |= labels
        if u.intent in by:
            by[u.intent] |= labels
    return {i: sorted(every if scope == "all" else v) for i, v in by.items()}


def build_constraint(
    tokenizer: Any, labels_by_key: Mapping[str, Sequence[str]]
) -> MarkupConstraint | None:
    """Return a :class:`MarkupConstraint`, or ``None`` with a warning if it cannot be built.

    ``None`` means decoding runs unconstrained: the tokenizer is not one llguidance reads (a
    slow or unknown tokenizer), or llguidance is not installed.
    """
    try:
        return MarkupConstraint(tokenizer, labels_by_key)
    except ImportError:
        reason = "the package 'llguidance' is not installed (pip install llguidance)"
    except (ValueError, TypeError, RuntimeError) as exc:
        reason = f"its tokenizer ({type(tokenizer).__name__}) cannot be constrained: {exc}"
    logger.warning(
        "markup decoding is NOT constrained: %s; malformed outputs are rejected by the "
        "markup filter instead",
        reason,
    )
    return None


def markup_logits_processor(constraint: MarkupConstraint, keys: Sequence[str]) -> Any:
    """Return a ``transformers.LogitsProcessor`` constraining ``model.generate`` row by row.

    Args:
        constraint: the matchers' factory.
        keys: the label-set key of each row of the batch, in order.
    """
    from transformers import LogitsProcessor

    class _MarkupProcessor(LogitsProcessor):
        def __init__(self) -> None:
            self.matchers = constraint.matchers(keys)
            self.start: int | None = None

        def __call__(self, input_ids: Any, scores: Any) -> Any:
            if self.start is None:
                self.start = input_ids.shape[1]
            elif input_ids.shape[1] > self.start:
                constraint.advance(self.matchers, input_ids[:, -1].tolist())
            allowed = constraint.allowed(self.matchers, scores.shape[-1], scores.device)
            return scores.masked_fill(~allowed, float("-inf"))

    return _MarkupProcessor()
