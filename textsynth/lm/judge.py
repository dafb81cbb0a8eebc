"""An LLM judge: checks each kept utterance's intent and each span's label, with structured output.

``--judge BACKEND/MODEL`` (``openai/NAME`` served at ``--judge-base-url``, or
``llamacpp/embedded:smollm2-135m`` / ``llamacpp/PATH.gguf`` in-process) asks the judge, for each
utterance that passed the other filters, for a JSON verdict constrained by a schema::

    {"intent": <one of the intents>, "labels": [<one label per marked value, or "none">]}

The schema goes through the backend's own structured output: ``response_format`` with a JSON
schema (``json_schema`` for OpenAI and vLLM servers, ``json_object`` + ``schema`` for llama.cpp,
which turns it into a grammar). Decisions: a different intent rejects the utterance; a span
judged ``none`` rejects it; a span given another label of the intent is relabelled. Every
decision is counted (``judge_*`` in the filter summary's counters); an answer that does not
parse keeps the utterance and counts as ``judge_failed``.

Before it judges anything, the judge is checked on seeds, whose intents and labels are right by
definition (up to ``calibration_per_intent`` per intent). A judge that agrees with fewer than
``min_seed_agreement`` of them would mostly reject good text (a 135M model as judge rejects
nearly everything), so its verdicts are then not used: a warning says so, and the counters
``judge_seed_checked`` / ``judge_seed_agreed`` / ``judge_disabled`` record it.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from textsynth.errors import ConfigError
from textsynth.lm.backends.base import parse_spec, redact
from textsynth.lm.filters import Candidate, Filter
from textsynth.types import Span, Utterance

__all__ = ["Judge", "JudgeFilter", "judge_prompt", "verdict_schema"]

logger = logging.getLogger(__name__)


def verdict_schema(intents: Sequence[str], labels: Sequence[str], n_spans: int) -> dict[str, Any]:
    """Return the JSON schema of a verdict on an utterance with ``n_spans`` marked values."""
    return {
        "type": "object",
        "properties": {
            "intent": {"type": "string", "enum": list(intents)},
            "labels": {
                "type": "array",
                "items": {"type": "string", "enum": [*labels, "none"]},
                "minItems": n_spans,
                "maxItems": n_spans,
            },
        },
        "required": ["intent", "labels"],
        "additionalProperties": False,
    }


def judge_prompt(
    utt: Utterance, intents: Sequence[str], labels_by_intent: dict[str, list[str]]
) -> str:
    """Return the judge's question about one utterance."""
    lines = [
        "You check training data for a voice assistant.",
        "Intents and their slot labels:",
    ]
    lines += [f"- {i}: {', '.join(labels_by_intent.get(i, [])) or '(no slots)'}" for i in intents]
    lines.append(f'Utterance: "{utt.text}"')
    if utt.spans:
        lines.append("Marked values, in order:")
        lines += [f'{k + 1}. "{utt.text[s.start : s.end]}"' for k, s in enumerate(utt.spans)]
    lines.append(
        'Answer in JSON: {"intent": the intent of the utterance, "labels": for each marked '
        'value its slot label, or "none" if it is not a slot value}.'
    )
    return "\n".join(lines)


@dataclass
class Judge:
    """The judge model and its decisions' counts.

    Attributes:
        spec: ``BACKEND/MODEL``.
        base_url: for ``openai`` judges.
        api_key_env: the variable holding the judge's key.
        timeout: seconds per judge request; ``max_retries`` as the openai client's.
        response_format: ``auto`` (from the server), ``json_schema`` or ``json_object``.
        min_seed_agreement: the share of checked seeds the judge must get right (intent and
            every label) for its verdicts to be used; 0 uses them whatever it scores.
        calibration_per_intent: seeds per intent the judge is checked on.
    """

    spec: str
    base_url: str = "http://127.0.0.1:8000/v1"
    api_key_env: str = "OPENAI_API_KEY"
    timeout: float = 60.0
    max_retries: int = 4
    response_format: str = "auto"
    seed: int = 0
    min_seed_agreement: float = 0.5
    calibration_per_intent: int = 2
    counts: dict[str, int] = field(default_factory=dict)
    _impl: Any = None
    _kind: str = ""

    def __post_init__(self) -> None:
        self.backend, self.model = parse_spec(self.spec)
        if self.backend not in ("openai", "llamacpp"):
            raise ConfigError(
                f"the judge backend {self.backend!r} has no structured output here",
                hint="use --judge openai/NAME or --judge llamacpp/MODEL",
            )
        for k in ("judged", "judge_rejected_intent", "judge_rejected_span"):
            self.counts.setdefault(k, 0)
        self.counts.setdefault("judge_relabelled_spans", 0)
        self.counts.setdefault("judge_failed", 0)
        if not 0.0 <= self.min_seed_agreement <= 1.0:
            raise ConfigError(
                f"judge seed agreement {self.min_seed_agreement} is not a share",
                hint="give a number from 0 to 1 (0: always use the judge's verdicts)",
            )

    def check(self) -> None:
        """Load or reach the judge model (errors before any generation)."""
        if self.backend == "openai":
            from textsynth.lm.backends.openai import OpenAIBackend

            b = OpenAIBackend(
                model=self.model,
                base_url=self.base_url,
                api_key_env=self.api_key_env,
                timeout=self.timeout,
                max_retries=self.max_retries,
                api="chat",
            )
            b.check()
            self._impl, self._kind = b, b._server
        else:
            from textsynth.lm.backends.llamacpp import LlamaCppBackend

            b2 = LlamaCppBackend(model=self.model)
            b2.check()
            self._impl, self._kind = b2, "llamacpp"

    def _format(self, schema: dict[str, Any]) -> dict[str, Any]:
        fmt = self.response_format
        if fmt == "auto":
            fmt = "json_object" if self._kind == "llamacpp" else "json_schema"
        if fmt == "json_object":
            return {"type": "json_object", "schema": schema}
        return {
            "type": "json_schema",
            "json_schema": {"name": "verdict", "schema": schema, "strict": True},
        }

    def ask(
        self, utt: Utterance, intents: Sequence[str], labels_by_intent: dict[str, list[str]]
    ) -> dict[str, Any] | None:
        """Return the judge's verdict on ``utt`` (``None`` when it fails or does not parse)."""
        if self._impl is None:
            self.check()
        labels = sorted({x for v in labels_by_intent.values() for x in v})
        schema = verdict_schema(intents, labels, len(utt.spans))
        messages = [{"role": "user", "content": judge_prompt(utt, intents, labels_by_intent)}]
        try:
            if self.backend == "openai":
                res = self._impl.client().chat.completions.create(
                    model=self.model,
                    messages=messages,
                    temperature=0.0,
                    max_tokens=32 + 8 * len(utt.spans),
                    seed=self.seed,
                    response_format=self._format(schema),
                )
                text = res.choices[0].message.content or ""
            else:
                res = self._impl.load().create_chat_completion(
                    messages=messages,
                    temperature=0.0,
                    max_tokens=32 + 8 * len(utt.spans),
                    seed=self.seed,
                    response_format={"type": "json_object", "schema": schema},
                )
                text = res["choices"][0]["message"]["content"] or ""
            verdict = json.loads(text)
        except Exception as exc:  # noqa: BLE001 - a failed verdict keeps the utterance
            from textsynth.lm.backends.base import BackendError

            if isinstance(exc, BackendError):
                raise
            logger.warning(
                "judge answer failed: %s", redact(str(exc), os.environ.get(self.api_key_env))
            )
            return None
        if (
            not isinstance(verdict, dict)
            or verdict.get("intent") not in intents
            or not isinstance(verdict.get("labels"), list)
            or len(verdict["labels"]) != len(utt.spans)
        ):
            return None
        return verdict

    def calibrate(
        self,
        seeds: Sequence[Utterance],
        intents: Sequence[str],
        labels_by_intent: dict[str, list[str]],
    ) -> float:
        """Ask about up to ``calibration_per_intent`` seeds per intent; return the share right.

        A seed is right when the verdict names its intent and its every label. A verdict that
        fails or does not parse counts as wrong.
        """
        by: dict[str, list[Utterance]] = {}
        for u in seeds:
            if len(by.setdefault(u.intent, [])) < self.calibration_per_intent:
                by[u.intent].append(u)
        checked = [u for i in sorted(by) for u in by[i]]
        agreed = 0
        for u in checked:
            v = self.ask(u, intents, labels_by_intent)
            if v is not None and v["intent"] == u.intent:
                agreed += v["labels"] == [s.label for s in u.spans]
        self.counts["judge_seed_checked"] = len(checked)
        self.counts["judge_seed_agreed"] = agreed
        share = agreed / len(checked) if checked else 0.0
        self.counts["judge_disabled"] = int(share < self.min_seed_agreement)
        if self.counts["judge_disabled"]:
            logger.warning(
                "the judge %s got %d of %d seeds right (intent and labels), below %.0f %%: "
                "its verdicts are not used (a stronger judge model, or "
                "--judge-min-agreement 0 to use them anyway)",
                self.spec,
                agreed,
                len(checked),
                100 * self.min_seed_agreement,
            )
        else:
            logger.info("the judge %s got %d of %d seeds right", self.spec, agreed, len(checked))
        return share

    def filter(self, seeds: Sequence[Utterance]) -> JudgeFilter:
        """Return the filter that applies this judge's decisions after the other filters."""
        return JudgeFilter(self, seeds)

    def close(self) -> None:
        """Release the judge's client or model."""
        if self._impl is not None:
            self._impl.close()


class JudgeFilter(Filter):
    """Reject or relabel candidates by the judge's verdict (counted in ``judge.counts``)."""

    name = "llm-judge"

    def __init__(self, judge: Judge, seeds: Sequence[Utterance]) -> None:
        self.judge = judge
        by: dict[str, set[str]] = {}
        for u in seeds:
            by.setdefault(u.intent, set()).update(s.label for s in u.spans)
        self.labels = {i: sorted(v) for i, v in by.items()}
        self.intents = sorted(self.labels)
        self.seeds = list(seeds)
        self.active: bool | None = None  # decided by the seed check, on the first batch

    def keep(self, candidates: Sequence[Candidate]) -> list[bool]:  # noqa: D102
        if self.active is None:
            share = self.judge.calibrate(self.seeds, self.intents, self.labels)
            self.active = share >= self.judge.min_seed_agreement
        if not self.active:
            return [True] * len(candidates)
        out = []
        counts = self.judge.counts
        for c in candidates:
            assert c.utterance is not None, "MarkupFilter must run first"
            counts["judged"] += 1
            v = self.judge.ask(c.utterance, self.intents, self.labels)
            if v is None:
                counts["judge_failed"] += 1
                out.append(True)
                continue
            if v["intent"] != c.intent:
                counts["judge_rejected_intent"] += 1
                c.scores["judge_intent"] = 0.0
                out.append(False)
                continue
            allowed = set(self.labels.get(c.intent, []))
            spans: list[Span] = []
            ok = True
            relabelled = 0
            for s, label in zip(c.utterance.spans, v["labels"], strict=True):
                if label == s.label:
                    spans.append(s)
                elif label in allowed:
                    spans.append(dataclasses.replace(s, label=label))
                    relabelled += 1
                else:
                    ok = False
                    break
            if not ok:
                counts["judge_rejected_span"] += 1
                out.append(False)
                continue
            if relabelled:
                counts["judge_relabelled_spans"] += relabelled
                c.utterance = dataclasses.replace(c.utterance, spans=tuple(spans))
                c.scores["judge_relabelled"] = float(relabelled)
            out.append(True)
        return out
