"""Load a grammar: read files, parse, check, compile; raise every error at once."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from textsynth.errors import GrammarError, GrammarErrors, Location
from textsynth.grammar import messages as msg
from textsynth.grammar.check import check
from textsynth.grammar.compile import CompiledIntent, Compiler, intent_from
from textsynth.grammar.fakerslots import DEFAULT_K, FakerValues
from textsynth.grammar.loader import load_files
from textsynth.grammar.sample import IntentEngine

__all__ = ["Grammar", "load_grammar"]


@dataclass
class Grammar:
    """A checked, compiled grammar.

    Attributes:
        path: the main file (or the name given to a source string).
        language: ``%language`` (or the language of ``%locale``; ``en`` by default).
        locale: ``%locale`` used for Faker slots, if any.
        intents: compiled intents by name, in declaration order.
        files: every file read (the main file first).
        codegen: render through generated code (``None``: ``TEXTSYNTH_GRAMMAR_CODEGEN``,
            on unless ``0``); ``False`` runs only the interpreter.
    """

    path: str
    language: str
    locale: str | None
    intents: dict[str, CompiledIntent]
    files: list[str]
    codegen: bool | None = None
    _engines: dict[str, IntentEngine] = field(default_factory=dict, repr=False)

    def engine(self, intent: str) -> IntentEngine:
        """Return the (cached) sampling engine of ``intent``."""
        if intent not in self._engines:
            self._engines[intent] = IntentEngine(self.intents[intent], self.codegen)
        return self._engines[intent]

    def combinations(self) -> dict[str, int]:
        """Return the exact number of combinations of each intent."""
        return {name: ci.root.count for name, ci in self.intents.items()}


def _is_file(p: str) -> bool:
    try:
        return Path(p).is_file()
    except OSError:
        return False


def _sort_key(e: GrammarError) -> tuple:
    loc = e.location or Location("")
    return (loc.path, loc.line, loc.col)


def load_grammar(
    source: str | os.PathLike[str],
    *,
    name: str | None = None,
    dialect: str | None = None,
    codegen: bool | None = None,
) -> Grammar:
    """Load a grammar from a file path or from source text.

    Args:
        source: a path to a ``.tsg``/``.chatette``/``.chatito`` file, or grammar text (any
            string that contains a newline or ``[`` and is not an existing file).
        name: the path shown in messages for source text (default ``<string>``, or
            ``<string>.chatito`` when ``dialect="chatito"``).
        dialect: ``"tsg"`` or ``"chatito"`` for source text (files: by extension).
        codegen: ``False`` renders with the plain interpreter only (see
            :mod:`textsynth.grammar.emitter`); ``None`` reads ``TEXTSYNTH_GRAMMAR_CODEGEN``.

    Returns:
        The compiled grammar.

    Raises:
        GrammarErrors: every error found, each with ``path:line:col`` and a caret.
    """
    is_text = (
        isinstance(source, str)
        and ("\n" in source or "[" in source)
        and not ("\n" not in source and _is_file(source))
    )
    if is_text:
        ext = ".chatito" if dialect == "chatito" else ""
        label = name or f"<string>{ext}"
        files, errors = load_files(text=str(source), name=label)
        texts = {label: str(source).splitlines()}
    else:
        files, errors = load_files(source)
        texts = {}
    for f in files:
        if f.path not in texts:
            try:
                texts[f.path] = Path(f.path).read_text(encoding="utf-8-sig").splitlines()
            except (OSError, UnicodeDecodeError):
                texts[f.path] = []
    index, check_errors = check(files, texts)
    errors += check_errors
    headers: dict = {}
    for f in reversed(files):
        headers.update(f.headers)
    k, seed = DEFAULT_K, 0
    for key in ("faker_count", "faker_seed"):
        if key in headers:
            value, loc = headers[key]
            if not value.isdigit():
                lines = texts.get(loc.path, [])
                errors.append(
                    GrammarError(
                        msg.BAD_HEADER_VALUE.format(value=value, key=key),
                        loc,
                        hint="write a whole number",
                        source_line=lines[loc.line - 1] if lines else None,
                    )
                )
            elif key == "faker_count":
                k = max(1, int(value))
            else:
                seed = int(value)
    locale, locale_loc = headers.get("locale", (None, None))
    language = headers.get("language", (None, None))[0] or (
        locale.split("_")[0].lower() if locale else "en"
    )
    path = files[0].path if files else str(source if not is_text else name or "<string>")
    if errors:
        raise GrammarErrors(sorted(errors, key=_sort_key))
    file_locales = {f.path: f.headers["locale"] for f in files if "locale" in f.headers}
    faker = FakerValues(locale, k, seed, texts, locale_loc, file_locales)
    compiler = Compiler(index, faker)
    intents = {d.name: intent_from(compiler, d) for d in index.intents()}
    errors = faker.errors + compiler.errors
    if errors:
        raise GrammarErrors(sorted(errors, key=_sort_key))
    return Grammar(path, language, locale, intents, [f.path for f in files], codegen)
