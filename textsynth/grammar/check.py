"""Semantic checks over all parsed files; every error is collected, none stops the others.

Checks: duplicate definitions, undefined references (with "did you mean"), missing
variations, reference cycles, empty grammars and definitions, intent counts, rule percentages
that add up to more than 100 %, arguments, and slots nested inside slots.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass

from textsynth.errors import GrammarError, Location
from textsynth.grammar import messages as msg
from textsynth.grammar.ast import ArgRef, Definition, FileAST, Group, Item, Ref, Seq

__all__ = ["Index", "check", "walk_items"]

_SIGIL = {"alias": "~", "slot": "@", "intent": "%"}


def ref_display(kind: str, name: str, variation: str | None = None) -> str:
    """Return ``~[name#variation]``."""
    var = f"#{variation}" if variation else ""
    return f"{_SIGIL[kind]}[{name}{var}]"


def walk_items(seq: Seq) -> Iterator[Item]:
    """Yield every item of ``seq``, descending into groups."""
    for item in seq.items:
        yield item
        if isinstance(item, Group):
            for alt in item.alternatives:
                yield from walk_items(alt)


@dataclass
class Index:
    """Definitions by ``(kind, name)``; each name maps to its variations (``None`` = plain)."""

    defs: dict[tuple[str, str], dict[str | None, Definition]]
    sources: dict[str, list[str]]

    def targets(self, ref: Ref) -> list[Definition]:
        """Return the definitions a reference may expand to (all variations if none named)."""
        variants = self.defs.get((ref.kind, ref.name), {})
        if ref.variation is not None:
            d = variants.get(ref.variation)
            return [d] if d else []
        return list(variants.values())

    def intents(self) -> list[Definition]:
        """Return the intent definitions, in declaration order."""
        return [d for (k, _), vs in self.defs.items() if k == "intent" for d in vs.values()]


def _err(message: str, loc: Location, index: Index, hint: str = "") -> GrammarError:
    lines = index.sources.get(loc.path, [])
    src = lines[loc.line - 1] if 0 < loc.line <= len(lines) else None
    return GrammarError(message, loc, hint=hint, source_line=src)


def build_index(
    files: list[FileAST], sources: dict[str, list[str]]
) -> tuple[Index, list[GrammarError]]:
    """Index every definition; report duplicates."""
    index = Index({}, sources)
    errors: list[GrammarError] = []
    for f in files:
        for d in f.definitions:
            variants = index.defs.setdefault((d.kind, d.name), {})
            if d.variation in variants:
                first = variants[d.variation]
                errors.append(
                    _err(
                        msg.DUPLICATE.format(kind=d.kind, ref=d.display(), first=first.loc),
                        d.loc,
                        index,
                        hint="merge the two definitions or rename one",
                    )
                )
                continue
            variants[d.variation] = d
    return index, errors


def _check_refs(index: Index) -> list[GrammarError]:
    errors: list[GrammarError] = []
    names = {k: [n for (kk, n) in index.defs if kk == k] for k in _SIGIL}
    for variants in index.defs.values():
        for d in variants.values():
            if not d.rules and not d.nlines:
                errors.append(
                    _err(
                        msg.EMPTY_DEFINITION.format(kind=d.kind, ref=d.display()),
                        d.loc,
                        index,
                        hint="add indented rules below the declaration",
                    )
                )
            for rule in d.rules:
                for item in walk_items(rule.body):
                    if isinstance(item, ArgRef) and item.name != d.arg:
                        hint = (
                            f"this definition's argument is ${d.arg}"
                            if d.arg
                            else f"declare it as {d.sigil}[{d.name}$" + item.name + "]"
                        )
                        errors.append(
                            _err(msg.UNKNOWN_ARG.format(name=item.name), item.loc, index, hint=hint)
                        )
                    if not isinstance(item, Ref):
                        continue
                    errors.extend(_check_ref(item, index, names, d))
    return errors


def _check_ref(ref: Ref, index: Index, names: dict, owner: Definition) -> list[GrammarError]:
    variants = index.defs.get((ref.kind, ref.name))
    if variants is None:
        if ref.kind == "alias" and owner.dialect == "chatito":
            return []  # Chatito: an undefined alias stands for its own name
        close = difflib.get_close_matches(ref.name, names[ref.kind], n=1, cutoff=0.6)
        sugg = f" (did you mean '{ref_display(ref.kind, close[0])}'?)" if close else ""
        return [
            _err(
                msg.UNDEFINED.format(
                    kind=ref.kind, ref=ref_display(ref.kind, ref.name), suggestion=sugg
                ),
                ref.loc,
                index,
                hint=f"define {ref_display(ref.kind, close[0] if close else ref.name)} "
                "or fix the name",
            )
        ]
    if ref.variation is not None and ref.variation not in variants:
        known = [v for v in variants if v]
        close = difflib.get_close_matches(ref.variation, known, n=1, cutoff=0.6)
        sugg = f" (did you mean '#{close[0]}'?)" if close else ""
        return [
            _err(
                msg.UNDEFINED.format(
                    kind="variation",
                    ref=ref_display(ref.kind, ref.name, ref.variation),
                    suggestion=sugg,
                ),
                ref.loc,
                index,
                hint="known variations: " + (", ".join("#" + v for v in known) or "none"),
            )
        ]
    return []


def _check_cycles(index: Index) -> list[GrammarError]:
    errors: list[GrammarError] = []
    state: dict[int, int] = {}  # id(def) -> 1 visiting, 2 done
    reported: set[frozenset[int]] = set()

    def visit(d: Definition, stack: list[tuple[Definition, Ref | None]]) -> None:
        state[id(d)] = 1
        for rule in d.rules:
            for item in walk_items(rule.body):
                if not isinstance(item, Ref):
                    continue
                for t in index.targets(item):
                    if state.get(id(t)) == 1:
                        i = next(j for j, (sd, _) in enumerate(stack) if sd is t)
                        cyc = [sd for sd, _ in stack[i:]]
                        key = frozenset(id(c) for c in cyc)
                        if key not in reported:
                            reported.add(key)
                            chain = " -> ".join(c.display() for c in [*cyc, t])
                            errors.append(
                                _err(
                                    msg.CYCLE.format(path=chain),
                                    item.loc,
                                    index,
                                    hint="a definition cannot expand to itself; break the loop",
                                )
                            )
                    elif state.get(id(t)) is None:
                        visit(t, [*stack, (t, item)])
        state[id(d)] = 2

    for variants in index.defs.values():
        for d in variants.values():
            if id(d) not in state:
                visit(d, [(d, None)])
    return errors


def _check_slots_in_slots(index: Index) -> list[GrammarError]:
    errors: list[GrammarError] = []
    for (kind, _), variants in index.defs.items():
        if kind != "slot":
            continue
        for outer in variants.values():
            seen: set[int] = set()
            todo = [outer]
            while todo:
                d = todo.pop()
                for rule in d.rules:
                    for item in walk_items(rule.body):
                        if not isinstance(item, Ref):
                            continue
                        if item.kind == "slot":
                            errors.append(
                                _err(
                                    msg.SLOT_IN_SLOT.format(
                                        inner=ref_display("slot", item.name), outer=outer.display()
                                    ),
                                    item.loc,
                                    index,
                                    hint="slots cannot nest; use an alias ~[..]",
                                )
                            )
                            continue
                        for t in index.targets(item):
                            if id(t) not in seen:
                                seen.add(id(t))
                                todo.append(t)
    return errors


def _check_intents(index: Index, files: list[FileAST]) -> list[GrammarError]:
    errors: list[GrammarError] = []
    if files and not index.intents() and any(f.definitions for f in files):
        first = files[0].definitions[0] if files[0].definitions else None
        loc = first.loc if first else Location(files[0].path, 1, 1)
        errors.append(
            _err(
                msg.EMPTY_GRAMMAR,
                loc,
                index,
                hint="declare at least one %[intent] with indented rules",
            )
        )
    for d in index.intents():
        if d.variation is not None:
            errors.append(
                _err(
                    msg.INTENT_VARIATION.format(ref=d.display()),
                    d.loc,
                    index,
                    hint="give the intent its own name; variations are for aliases and slots",
                )
            )
        for key, value in d.args:
            if key.lower() in ("count", "training", "train", "testing", "test"):
                if not value.strip().isdigit():
                    errors.append(
                        _err(
                            msg.BAD_COUNT.format(value=value, ref=d.display()),
                            d.loc,
                            index,
                            hint="counts are whole numbers, e.g. (20)",
                        )
                    )
    for variants in index.defs.values():
        for d in variants.values():
            if d.rules and all(r.weight is not None and r.weight.value == 0 for r in d.rules):
                errors.append(
                    _err(
                        msg.ALL_WEIGHTS_ZERO.format(ref=d.display()),
                        d.rules[0].weight.loc,  # type: ignore[union-attr]
                        index,
                        hint="give at least one rule a weight above 0, or remove the weights",
                    )
                )
            total = sum(r.weight.value for r in d.rules if r.weight and r.weight.percent)
            if total > 100 + 1e-9:
                errors.append(
                    _err(
                        msg.PERCENT_SUM.format(ref=d.display(), total=total),
                        d.loc,
                        index,
                        hint="lower the *[..%] weights so they sum to 100 or less",
                    )
                )
    return errors


def check(files: list[FileAST], sources: dict[str, list[str]]) -> tuple[Index, list[GrammarError]]:
    """Run every semantic check; return the index and all errors (empty when valid)."""
    index, errors = build_index(files, sources)
    errors += _check_intents(index, files)
    ref_errors = _check_refs(index)
    errors += ref_errors
    errors += _check_cycles(index)
    errors += _check_slots_in_slots(index)
    return index, errors
