"""The textsynth error tree: one root, builtin bases where callers expect them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Location:
    """A place in an input file: 1-based line and column (column 0 = whole line/record)."""

    path: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line and self.col:
            return f"{self.path}:{self.line}:{self.col}"
        if self.line:
            return f"{self.path}:{self.line}"
        return self.path


def caret_context(source_line: str, col: int) -> str:
    """Return the source line followed by a caret under column ``col`` (1-based)."""
    line = source_line.rstrip("\n").replace("\t", " ")
    pad = " " * max(col - 1, 0)
    return f"    {line}\n    {pad}^"


class TextsynthError(Exception):
    """Root of every error textsynth raises on purpose.

    ``exit_code`` is what the CLI exits with: 2 for usage and input errors, 1 for runtime errors.
    """

    exit_code: int = 1


class InputError(TextsynthError, ValueError):
    """Bad input from the user: a file, a record, an option. Names where and what to do."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        location: Location | None = None,
        *,
        hint: str = "",
        source_line: str | None = None,
    ) -> None:
        self.message = message
        self.location = location
        self.hint = hint
        self.source_line = source_line
        super().__init__(self.format())

    def format(self) -> str:
        """Return ``path:line:col: message``, the caret context and the hint."""
        head = f"{self.location}: {self.message}" if self.location else self.message
        parts = [head]
        if self.source_line is not None and self.location is not None and self.location.col:
            parts.append(caret_context(self.source_line, self.location.col))
        if self.hint:
            parts.append(f"  hint: {self.hint}")
        return "\n".join(parts)


class RecordError(InputError):
    """A malformed record in a JSONL (or other record-based) file."""


class SpanError(InputError):
    """A slot span that is out of bounds, empty, overlapping or disagrees with the text."""


class MarkupError(InputError):
    """Inline ``[value](slot)`` markup that cannot be parsed."""


class ConfigError(InputError):
    """A bad option or configuration value."""


class GrammarError(InputError):
    """One error in a grammar file."""


class GrammarErrors(GrammarError):  # noqa: N818  (a collection of GrammarError)
    """Every error found in a grammar, reported at once."""

    def __init__(self, errors: list[GrammarError]) -> None:
        self.errors = list(errors)
        TextsynthError.__init__(self, self.format())
        self.message = f"{len(self.errors)} error(s) in grammar"
        self.location = self.errors[0].location if self.errors else None
        self.hint = ""
        self.source_line = None

    def format(self) -> str:  # noqa: D102
        body = "\n".join(e.format() for e in self.errors)
        n = len(self.errors)
        return f"{body}\n{n} error{'s' if n != 1 else ''} found."


class UnknownNameError(TextsynthError, KeyError):
    """A name that is not in a registry; the message lists what is."""

    exit_code = 2

    def __str__(self) -> str:  # KeyError quotes its argument; we want the plain message
        return str(self.args[0]) if self.args else ""


class MissingDependencyError(TextsynthError, ImportError):
    """An optional dependency is missing; the message says what to install."""


class SpaceTooLargeError(InputError):
    """An exhaustive expansion was asked for a space larger than the limit."""


class FileError(TextsynthError, OSError):
    """A file that cannot be read or written (missing, a directory, read-only, disk full...).

    The message names the path and what to do; ``exit_code`` is 2 when the path given is wrong
    (missing, a directory, not permitted) and 1 when the system is (disk full, I/O error).
    """

    def __init__(self, message: str, path: str = "", *, hint: str = "", exit_code: int = 1) -> None:
        self.message = message
        self.path = path
        self.hint = hint
        self.exit_code = exit_code
        self.location = Location(path) if path else None
        self.source_line = None
        super().__init__(self.format())

    def format(self) -> str:
        """Return the message and the hint."""
        return f"{self.message}\n  hint: {self.hint}" if self.hint else self.message

    def __str__(self) -> str:
        return self.format()


# errno -> (what happened, what to do, exit code)
_OS_ERRORS: dict[str, tuple[str, str, int]] = {
    "ENOENT": ("no such file or directory", "check the path", 2),
    "EISDIR": ("is a directory, a file was expected", "give the path of a file", 2),
    "ENOTDIR": ("a part of the path is not a directory", "check the path", 2),
    "EACCES": ("permission denied", "choose a path you may write/read, or fix its permissions", 2),
    "EPERM": ("operation not permitted", "choose another path, or fix its permissions", 2),
    "EROFS": ("read-only file system", "write the output to a writable location", 2),
    "ENOSPC": ("no space left on device", "free some space or write to another disk", 1),
    "EDQUOT": ("disk quota exceeded", "free some space or write to another disk", 1),
    "EFBIG": ("file too large for this file system", "write to another file system", 1),
    "ENAMETOOLONG": ("file name too long", "choose a shorter path", 2),
    "EEXIST": ("already exists", "remove it or choose another path", 2),
    "EIO": ("input/output error", "check the disk, then run again", 1),
}


def file_error(exc: OSError, path: str | None = None, action: str = "") -> FileError:
    """Return a :class:`FileError` for ``exc`` naming the path, what happened and what to do."""
    import errno as errno_mod

    name = errno_mod.errorcode.get(exc.errno or 0, "")
    what, todo, code = _OS_ERRORS.get(name, (exc.strerror or str(exc), "check the path", 1))
    where = path or exc.filename or ""
    verb = f"cannot {action} " if action else ""
    msg = f"{verb}{where}: {what}" if where else f"{verb.strip() or 'I/O error'}: {what}"
    return FileError(msg, str(where), hint=todo, exit_code=code)
