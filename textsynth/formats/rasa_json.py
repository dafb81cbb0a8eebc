"""Legacy Rasa NLU JSON (``rasa_nlu_data.common_examples``), still read by many tools."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator

from textsynth.errors import InputError, Location
from textsynth.formats.base import Format, add_synonym
from textsynth.io import atomic_write, read_json
from textsynth.registry import formats
from textsynth.types import Span, Utterance


@formats.register()
class RasaJsonFormat(Format):
    """``{"rasa_nlu_data": {"common_examples": [...], "entity_synonyms": [...]}}``."""

    name = "rasa-json"
    extensions = (".rasa.json",)

    def write(self, utts: Iterable[Utterance], path: str | os.PathLike[str]) -> int:  # noqa: D102
        synonyms: dict[str, list[str]] = {}
        n = 0
        with atomic_write(path) as fh:
            fh.write('{"rasa_nlu_data": {"common_examples": [\n')
            for u in utts:
                ents = []
                for s in u.spans:
                    surface = u.text[s.start : s.end]
                    value = s.value if s.value is not None else surface
                    ents.append({"start": s.start, "end": s.end, "value": value, "entity": s.label})
                    if value != surface:
                        add_synonym(synonyms, value, surface)
                ex = {"text": u.text, "intent": u.intent, "entities": ents}
                fh.write(("," if n else "") + json.dumps(ex, ensure_ascii=False) + "\n")
                n += 1
            syn = [{"value": v, "synonyms": s} for v, s in synonyms.items()]
            fh.write('], "entity_synonyms": ' + json.dumps(syn, ensure_ascii=False) + "}}\n")
        return n

    def read(self, path: str | os.PathLike[str]) -> Iterator[Utterance]:  # noqa: D102
        doc = read_json(path)
        data = doc.get("rasa_nlu_data") if isinstance(doc, dict) else None
        if not isinstance(data, dict):
            raise InputError(
                "no 'rasa_nlu_data' object",
                Location(str(path)),
                hint="this reader expects the legacy Rasa NLU JSON format",
            )
        for k, ex in enumerate(data.get("common_examples", []), 1):
            text = ex.get("text", "")
            spans = []
            for e in ex.get("entities", []):
                surface = text[e["start"] : e["end"]]
                value = e.get("value")
                spans.append(
                    Span(
                        e["start"],
                        e["end"],
                        e["entity"],
                        value if value not in (None, surface) else None,
                    )
                )
            yield Utterance(
                text, ex.get("intent", ""), tuple(spans), source=f"rasa-json:{path}:{k}"
            )
