"""Snips NLU dataset JSON: utterances as chunk lists, plus an entity catalogue with synonyms."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator

from textsynth.errors import InputError, Location
from textsynth.formats.base import Format, add_synonym
from textsynth.io import atomic_write, read_json
from textsynth.registry import formats
from textsynth.types import Span, Utterance


def _chunks(u: Utterance) -> list[dict[str, str]]:
    out, pos = [], 0
    for s in u.spans:
        if s.start > pos:
            out.append({"text": u.text[pos : s.start]})
        out.append({"text": u.text[s.start : s.end], "entity": s.label, "slot_name": s.label})
        pos = s.end
    if pos < len(u.text):
        out.append({"text": u.text[pos:]})
    return out


@formats.register()
class SnipsJsonFormat(Format):
    """The Snips NLU dataset format.

    ``{"language", "intents": {name: {"utterances": [{"data": [chunks]}]}}, "entities": {...}}``.
    """

    name = "snips-json"
    extensions = (".snips.json",)

    def write(self, utts: Iterable[Utterance], path: str | os.PathLike[str]) -> int:  # noqa: D102
        intents: dict[str, list] = {}
        entities: dict[str, dict[str, list[str]]] = {}
        language = "en"
        n = 0
        for u in utts:
            language = u.language
            intents.setdefault(u.intent, []).append({"data": _chunks(u)})
            for s in u.spans:
                surface = u.text[s.start : s.end]
                value = s.value if s.value is not None else surface
                add_synonym(entities.setdefault(s.label, {}), value, surface)
            n += 1
        doc = {
            "language": language,
            "intents": {k: {"utterances": v} for k, v in intents.items()},
            "entities": {
                label: {
                    "data": [{"value": v, "synonyms": s} for v, s in values.items()],
                    "use_synonyms": True,
                    "automatically_extensible": True,
                    "matching_strictness": 1.0,
                }
                for label, values in entities.items()
            },
        }
        with atomic_write(path) as fh:
            json.dump(doc, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        return n

    def read(self, path: str | os.PathLike[str]) -> Iterator[Utterance]:  # noqa: D102
        doc = read_json(path)
        if not isinstance(doc, dict) or not isinstance(doc.get("intents"), dict):
            raise InputError(
                "no 'intents' object",
                Location(str(path)),
                hint="this reader expects a Snips NLU dataset JSON file",
            )
        language = doc.get("language", "en")
        syn_to_value: dict[tuple[str, str], str] = {}
        for label, ent in (doc.get("entities") or {}).items():
            for item in ent.get("data", []) if isinstance(ent, dict) else []:
                for syn in item.get("synonyms", []):
                    syn_to_value[(label, syn)] = item["value"]
        for intent, body in doc["intents"].items():
            for k, utt in enumerate(body.get("utterances", []), 1):
                text, spans, pos = [], [], 0
                for ch in utt.get("data", []):
                    t = ch["text"]
                    if "entity" in ch or "slot_name" in ch:
                        label = ch.get("slot_name") or ch["entity"]
                        value = syn_to_value.get((ch.get("entity", label), t))
                        spans.append(Span(pos, pos + len(t), label, value))
                    text.append(t)
                    pos += len(t)
                yield Utterance(
                    "".join(text),
                    intent,
                    tuple(spans),
                    language=language,
                    source=f"snips:{path}:{intent}:{k}",
                )
