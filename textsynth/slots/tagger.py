"""A CRF slot tagger (sklearn-crfsuite) trained on labelled utterances; spans in, spans out."""

from __future__ import annotations

import base64
import json
import logging
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from textsynth._compat import require
from textsynth.errors import InputError, TextsynthError
from textsynth.slots.features import FEATURES_VERSION, sequence_features
from textsynth.slots.tokens import Token, bio_tags, decode_bio, token_range, tokenise
from textsynth.types import Span, Utterance

__all__ = ["SlotTagger", "SlotTaggerError"]

logger = logging.getLogger(__name__)

FILE_FORMAT = "textsynth-slot-tagger"
FILE_VERSION = 1


class SlotTaggerError(TextsynthError):
    """A slot tagger that cannot be trained or loaded; the message names the label and why."""

    exit_code = 2


class SlotTagger:
    """Predict slot spans on text: a linear-chain CRF over word tokens with BIO tags.

    Build one with :meth:`train` or :meth:`load`. Tokens are words and single punctuation
    marks (:func:`textsynth.slots.tokenise`); predicted spans start and end on token
    boundaries.

    Attributes:
        labels: the slot labels it can predict, sorted.
        n_train: utterances it was trained on.
        dropped: per label, training spans that could not be aligned to tokens (two slots in
            one word, a span over no word).
    """

    def __init__(
        self,
        model: bytes,
        labels: Sequence[str],
        *,
        n_train: int = 0,
        dropped: dict[str, int] | None = None,
    ) -> None:
        pycrfsuite = require("pycrfsuite", feature="the slot tagger", package="sklearn-crfsuite")
        self._model = model
        self.labels: tuple[str, ...] = tuple(sorted(labels))
        self.n_train = n_train
        self.dropped = dict(dropped or {})
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open_inmemory(model)
        self._tags = tuple(self._tagger.labels())

    # ----- training ---------------------------------------------------------------------------
    @classmethod
    def train(
        cls,
        utterances: Sequence[Utterance],
        *,
        seed: int = 0,
        algorithm: str = "lbfgs",
        c1: float = 0.05,
        c2: float = 0.05,
        max_iterations: int = 100,
    ) -> SlotTagger:
        """Train a tagger on ``utterances`` (their spans are the gold slots).

        Args:
            utterances: labelled utterances; those without spans teach the tagger where no
                slot is.
            seed: seed of the training order (``ap``, ``l2sgd``); L-BFGS is deterministic.
            algorithm: crfsuite's trainer: ``lbfgs`` (default, calibrated marginals) or
                ``ap`` (averaged perceptron: several times faster, marginals less calibrated).
            c1: L1 regularisation (lbfgs).
            c2: L2 regularisation (lbfgs).
            max_iterations: passes (ap) or L-BFGS iterations.

        Raises:
            SlotTaggerError: no utterances, no slot at all, a label that is reserved or
                malformed, or a label none of whose spans lies on a word; the message names the
                label and the reason.
        """
        sklearn_crfsuite = require(
            "sklearn_crfsuite", feature="the slot tagger", package="sklearn-crfsuite"
        )
        if not utterances:
            raise SlotTaggerError("cannot train a slot tagger: no utterances given")
        counts: Counter[str] = Counter(s.label for u in utterances for s in u.spans)
        if not counts:
            raise SlotTaggerError(
                f"cannot train a slot tagger: none of the {len(utterances)} utterances has a "
                "slot span",
                # a plain sentence: callers show it as the reason a slot metric is not computable
            )
        for label in counts:
            if label == "O" or label.startswith(("B-", "I-")) or any(c.isspace() for c in label):
                raise SlotTaggerError(
                    f"cannot train a slot tagger: slot label {label!r} is reserved or malformed "
                    "(the tagger uses 'O', 'B-<label>' and 'I-<label>' tags; labels must not "
                    "contain spaces)"
                )
        xs, ys = [], []
        dropped: Counter[str] = Counter()
        kept: Counter[str] = Counter()
        for u in utterances:
            toks = tokenise(u.text)
            if not toks:
                continue
            tags, lost = bio_tags(toks, u.spans)
            dropped.update(s.label for s in lost)
            kept.update(t[2:] for t in tags if t.startswith("B-"))
            xs.append(sequence_features(toks))
            ys.append(tags)
        for label, n in sorted(counts.items()):
            if not kept[label]:
                raise SlotTaggerError(
                    f"cannot train a slot tagger: none of the {n} span(s) labelled {label!r} "
                    "can be aligned to a word (each lies inside a word another slot already "
                    "covers, or over no word)"
                )
        if dropped:
            logger.warning(
                "slot tagger: %d span(s) not aligned to words were left out: %s",
                sum(dropped.values()),
                dict(dropped),
            )
        if algorithm not in ("lbfgs", "ap"):
            from textsynth.errors import ConfigError

            raise ConfigError(f"unknown slot tagger algorithm {algorithm!r}; use lbfgs or ap")
        if algorithm != "lbfgs":  # order-dependent trainers: shuffle with the seed
            import random

            order = list(range(len(xs)))
            random.Random(seed).shuffle(order)
            xs, ys = [xs[i] for i in order], [ys[i] for i in order]
        params = {"c1": c1, "c2": c2} if algorithm == "lbfgs" else {}
        crf = sklearn_crfsuite.CRF(
            algorithm=algorithm,
            max_iterations=max_iterations,
            all_possible_transitions=True,
            **params,
        )
        try:
            crf.fit(xs, ys)
            model = Path(crf.modelfile.name).read_bytes()
        except (ValueError, RuntimeError, OSError) as exc:
            raise SlotTaggerError(f"cannot train a slot tagger: crfsuite failed: {exc}") from exc
        finally:
            crf.modelfile.cleanup()
        return cls(model, sorted(kept), n_train=len(xs), dropped=dict(dropped))

    # ----- prediction ---------------------------------------------------------------------------
    def predict(self, texts: Sequence[str]) -> list[tuple[Span, ...]]:
        """Return the predicted slot spans of each text (character offsets, BIO decoded)."""
        out: list[tuple[Span, ...]] = []
        tag = self._tagger.tag
        for text in texts:
            toks = tokenise(text)
            out.append(decode_bio(toks, tag(sequence_features(toks))) if toks else ())
        return out

    def token_probs(self, text: str) -> tuple[list[Token], list[dict[str, float]]]:
        """Return the tokens of ``text`` and, per token, the probability of each label.

        A label's probability is ``P(B-label) + P(I-label)`` (CRF token marginals); ``"O"`` is
        the probability of no slot.
        """
        toks = tokenise(text)
        if not toks:
            return toks, []
        keys = ("O", *self.labels)
        self._tagger.set(sequence_features(toks))
        marg = self._tagger.marginal
        per_token: list[dict[str, float]] = []
        for i in range(len(toks)):
            p = dict.fromkeys(keys, 0.0)
            for t in self._tags:
                label = "O" if t == "O" else t[2:]
                if label in p:
                    p[label] += marg(t, i)
            per_token.append(p)
        return toks, per_token

    def span_label_probs(self, text: str, spans: Sequence[Span]) -> list[dict[str, float]]:
        """Return, per given span, the probability of each label (and ``"O"``: no slot).

        The probability of a label is ``P(B-label) + P(I-label)`` averaged over the tokens the
        span overlaps (CRF token marginals). A span over no token gets ``{"O": 1.0}``.
        """
        if not spans:
            return []
        keys = ("O", *self.labels)
        empty = {k: (1.0 if k == "O" else 0.0) for k in keys}
        toks, per_token = self.token_probs(text)
        out = []
        for s in spans:
            r = token_range(toks, s) if toks else None
            if r is None:
                out.append(dict(empty))
                continue
            n = r[1] - r[0]
            out.append({k: sum(per_token[i][k] for i in range(*r)) / n for k in keys})
        return out

    # ----- files --------------------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the tagger to one JSON file (the crfsuite model inside, base64), atomically."""
        from textsynth.io import atomic_write

        doc = {
            "format": FILE_FORMAT,
            "version": FILE_VERSION,
            "features_version": FEATURES_VERSION,
            "labels": list(self.labels),
            "n_train": self.n_train,
            "dropped": self.dropped,
            "model": base64.b64encode(self._model).decode("ascii"),
        }
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(path) as fh:
            json.dump(doc, fh)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SlotTagger:
        """Read a tagger written by :meth:`save`.

        Raises:
            InputError: the file is missing or is not a textsynth slot tagger of this version.
        """
        from textsynth.errors import Location

        p = Path(path)
        try:
            doc: Any = json.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise InputError(f"no slot tagger file at {p}") from None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(
                f"cannot read the slot tagger: {exc}", Location(str(p)), hint="save it again"
            ) from None
        if not isinstance(doc, dict) or doc.get("format") != FILE_FORMAT:
            raise InputError("not a textsynth slot tagger file", Location(str(p)))
        if doc.get("version") != FILE_VERSION or doc.get("features_version") != FEATURES_VERSION:
            raise InputError(
                f"slot tagger file version {doc.get('version')}/{doc.get('features_version')} "
                f"is not {FILE_VERSION}/{FEATURES_VERSION}",
                Location(str(p)),
                hint="train and save the tagger again with this textsynth",
            )
        return cls(
            base64.b64decode(doc["model"]),
            doc["labels"],
            n_train=int(doc.get("n_train", 0)),
            dropped=dict(doc.get("dropped") or {}),
        )

    def __repr__(self) -> str:
        return f"SlotTagger(labels={len(self.labels)}, n_train={self.n_train})"
