"""Rasa 3 NLU training data in YAML: ``[value](entity)`` annotations and synonyms."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator

from textsynth.errors import InputError, Location
from textsynth.formats.base import Format, add_synonym
from textsynth.io import atomic_write, read_text
from textsynth.registry import formats
from textsynth.types import Span, Utterance

# [surface](entity) | [surface](entity:value) | [surface]{"entity": "x", "value": "y"}
_ANNOT = re.compile(r"\[(?P<surface>[^\]]+)\](?:\((?P<short>[^)]+)\)|(?P<json>\{[^}]*\}))")


def render_example(u: Utterance) -> str:
    """Return one Rasa example line body for ``u`` (synonyms in the JSON entity form)."""
    out, pos = [], 0
    for s in u.spans:
        out.append(u.text[pos : s.start])
        surface = u.text[s.start : s.end]
        if s.value is None or s.value == surface:
            out.append(f"[{surface}]({s.label})")
        else:
            attrs = json.dumps({"entity": s.label, "value": s.value}, ensure_ascii=False)
            out.append(f"[{surface}]{attrs}")
        pos = s.end
    out.append(u.text[pos:])
    return "".join(out)


def parse_example(line: str, intent: str, where: Location) -> Utterance:
    """Parse one Rasa example (``- `` already removed) into an utterance."""
    text: list[str] = []
    spans: list[Span] = []
    pos = last = 0
    for m in _ANNOT.finditer(line):
        text.append(line[last : m.start()])
        pos += m.start() - last
        surface = m.group("surface")
        if m.group("json"):
            try:
                attrs = json.loads(m.group("json"))
            except json.JSONDecodeError as exc:
                raise InputError(
                    f"bad entity attributes {m.group('json')!r}: {exc.msg}",
                    where,
                    hint='write [text]{"entity": "name", "value": "canonical"}',
                ) from None
            label, value = str(attrs.get("entity", "")), attrs.get("value")
        else:
            label, _, value = m.group("short").partition(":")
            value = value or None
        spans.append(Span(pos, pos + len(surface), label, value if value != surface else None))
        text.append(surface)
        pos += len(surface)
        last = m.end()
    text.append(line[last:])
    return Utterance("".join(text), intent, tuple(spans), source=f"rasa:{where}")


@formats.register()
class RasaYamlFormat(Format):
    """Rasa 3 ``nlu:`` YAML: one block per intent, synonyms collected from span values."""

    name = "rasa-yaml"
    extensions = (".yml", ".yaml")

    def write(self, utts: Iterable[Utterance], path: str | os.PathLike[str]) -> int:  # noqa: D102
        by_intent: dict[str, list[str]] = {}
        synonyms: dict[str, list[str]] = {}
        n = 0
        for u in utts:
            by_intent.setdefault(u.intent, []).append(render_example(u))
            for s in u.spans:
                surface = u.text[s.start : s.end]
                if s.value is not None and s.value != surface:
                    add_synonym(synonyms, s.value, surface)
            n += 1
        with atomic_write(path) as fh:
            fh.write('version: "3.1"\nnlu:\n')
            for intent, examples in by_intent.items():
                fh.write(f"- intent: {_yaml_scalar(intent)}\n  examples: |\n")
                for ex in examples:
                    fh.write(f"    - {ex}\n")
            for value, surfaces in synonyms.items():
                fh.write(f"- synonym: {_yaml_scalar(value)}\n  examples: |\n")
                for surf in surfaces:
                    fh.write(f"    - {surf}\n")
        return n

    def read(self, path: str | os.PathLike[str]) -> Iterator[Utterance]:  # noqa: D102
        import yaml

        src = read_text(path)
        try:
            doc = yaml.safe_load(src) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            loc = (
                Location(str(path), mark.line + 1, mark.column + 1) if mark else Location(str(path))
            )
            raise InputError(f"invalid YAML: {getattr(exc, 'problem', exc)}", loc) from None
        items = doc.get("nlu") if isinstance(doc, dict) else None
        if not isinstance(items, list):
            raise InputError(
                "no 'nlu:' list found",
                Location(str(path)),
                hint="a Rasa 3 NLU file starts with 'version: \"3.1\"' and 'nlu:'",
            )
        for k, item in enumerate(items, 1):
            if not isinstance(item, dict) or "intent" not in item:
                continue  # synonyms, regexes and lookups carry no utterances
            examples = item.get("examples") or ""
            lines = examples.splitlines() if isinstance(examples, str) else list(examples)
            for j, raw in enumerate(lines, 1):
                line = str(raw).strip()
                if not line:
                    continue
                if line.startswith("- "):
                    line = line[2:]
                where = Location(f"{path} (nlu item {k}, example {j})")
                yield parse_example(line, str(item["intent"]), where)


def _yaml_scalar(s: str) -> str:
    return s if re.fullmatch(r"[A-Za-z0-9_][\w .\-/]*", s) and s.strip() == s else json.dumps(s)
