"""Fluency: the mean per-token log-likelihood of each utterance under a reference causal LM.

The reference LM is the embedded SmolLM2-135M by default (``embedded:smollm2-135m``, found and
converted by :mod:`textsynth.lm.models`); any causal LM name or local path works. Each text is
scored after the tokenizer's beginning-of-text token (end-of-text when it has none), so the
first word is scored too and every text is scored the same way.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np

from textsynth.progress import progress

__all__ = ["DEFAULT_FLUENCY_MODEL", "FluencyScorer"]

logger = logging.getLogger(__name__)

DEFAULT_FLUENCY_MODEL = "embedded:smollm2-135m"


class FluencyScorer:
    """Score texts by their mean per-token log-likelihood (nats; higher = more fluent).

    Args:
        model: a causal LM name, path or embedded alias; ``None`` = the embedded SmolLM2.
        batch_size: texts per forward pass (texts are sorted by length to pad little).
        device: ``"cpu"``, ``"cuda"``...; ``None`` picks the GPU when there is one.
        max_tokens: longer texts are cut to this many tokens.
    """

    def __init__(
        self,
        model: str | None = None,
        *,
        batch_size: int = 32,
        device: str | None = None,
        max_tokens: int = 128,
    ) -> None:
        self.model_name = model or DEFAULT_FLUENCY_MODEL
        self.batch_size = max(1, int(batch_size))
        self.device = device
        self.max_tokens = max_tokens
        self._model: Any = None
        self._tok: Any = None

    def _load(self) -> tuple[Any, Any]:
        if self._model is None:
            from textsynth.lm.models import load_causal_lm

            self._model, self._tok = load_causal_lm(
                self.model_name, device=self.device, dtype="float32"
            )
        return self._model, self._tok

    def score(self, texts: Sequence[str], *, desc: str = "fluency") -> np.ndarray:
        """Return the mean per-token log-likelihood of each text (``nan`` for empty texts).

        Runs in batches of ``batch_size`` with a progress bar (on a terminal, or with
        ``TEXTSYNTH_PROGRESS=1``).
        """
        import torch

        out = np.full(len(texts), np.nan, dtype=np.float64)
        if not texts:
            return out
        model, tok = self._load()
        start = tok.bos_token_id if tok.bos_token_id is not None else tok.eos_token_id
        pad = tok.pad_token_id if tok.pad_token_id is not None else start
        ids = [
            tok(t, add_special_tokens=False)["input_ids"][: self.max_tokens] if t.strip() else []
            for t in texts
        ]
        order = sorted((i for i in range(len(texts)) if ids[i]), key=lambda i: len(ids[i]))
        batches = [order[i : i + self.batch_size] for i in range(0, len(order), self.batch_size)]
        dev = next(model.parameters()).device
        with torch.inference_mode():
            for batch in progress(batches, desc=desc, unit="batch"):
                width = 1 + max(len(ids[i]) for i in batch)
                x = torch.full((len(batch), width), pad, dtype=torch.long)
                mask = torch.zeros((len(batch), width), dtype=torch.long)
                for row, i in enumerate(batch):  # right padding: positions start at 0
                    seq = [start, *ids[i]]
                    x[row, : len(seq)] = torch.tensor(seq)
                    mask[row, : len(seq)] = 1
                x, mask = x.to(dev), mask.to(dev)
                logits = model(input_ids=x, attention_mask=mask).logits[:, :-1].float()
                logp = torch.log_softmax(logits, dim=-1)
                target = x[:, 1:]
                tok_lp = logp.gather(-1, target.unsqueeze(-1)).squeeze(-1)
                valid = mask[:, 1:].to(tok_lp.dtype)
                mean = (tok_lp * valid).sum(1) / valid.sum(1).clamp(min=1)
                for row, i in enumerate(batch):
                    out[i] = float(mean[row])
        return out
