"""Reading and writing files safely: atomic writes, located JSONL errors, streamed records."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from textsynth.errors import ConfigError, FileError, InputError, Location, RecordError, file_error
from textsynth.types import Utterance

__all__ = [
    "atomic_write",
    "check_distinct",
    "read_jsonl",
    "read_text",
    "read_utterances",
    "write_jsonl",
    "write_utterances_jsonl",
]


@contextlib.contextmanager
def atomic_write(
    path: str | os.PathLike[str],
    mode: str = "w",
    encoding: str | None = "utf-8",
    *,
    private: bool = False,
):
    """Open a temporary file next to ``path`` and move it into place only on success.

    A crash, an exception or a signal handled as ``KeyboardInterrupt`` leaves no half-written
    ``path`` and no temporary file (the old file, if any, is kept). ``private=True`` keeps the
    file readable by its owner only (0600: rejects files, keys). A failing write (disk full,
    read-only file system, a directory in the way) raises :class:`FileError` naming ``path``.
    ``path`` ``-`` means standard output (not atomic).
    """
    path = Path(path)
    if str(path) == "-":
        import sys

        yield sys.stdout
        return
    kwargs: dict[str, Any] = {} if "b" in mode else {"encoding": encoding, "newline": "\n"}
    if path.is_dir():
        raise file_error(IsADirectoryError(21, "Is a directory", str(path)), str(path), "write")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise file_error(exc, str(path), "write") from None
    try:
        try:
            with os.fdopen(fd, mode, **kwargs) as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:  # a failing write or close (disk full, I/O error): name the file
            if exc.filename is None and not isinstance(exc, FileError):
                raise file_error(exc, str(path), "write") from None
            raise
        if not private:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual permissions
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise file_error(exc, str(path), "write") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def check_distinct(**paths: str | os.PathLike[str] | None) -> None:
    """Refuse two options naming the same file (an output over an input loses data).

    Args:
        **paths: option name -> path (``None`` and ``-`` are ignored).

    Raises:
        ConfigError: naming both options and the path.
    """
    seen: dict[str, str] = {}
    for opt, p in paths.items():
        if p is None or str(p) in ("", "-"):
            continue
        try:
            key = str(Path(p).expanduser().resolve())
        except OSError:
            key = os.path.abspath(p)
        if key in seen:
            raise ConfigError(
                f"{seen[key]} and {opt} are the same file ({p}): writing one would destroy the "
                "other",
                hint=f"give {opt} a path of its own",
            )
        seen[key] = opt


def read_text(path: str | os.PathLike[str]) -> str:
    """Read a UTF-8 file; undecodable bytes raise ``InputError`` naming line and column."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file", hint="check the path")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise file_error(exc, str(p), "read") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"byte 0x{data[exc.start]:02x} is not valid UTF-8",
            Location(str(p), line, col),
            hint="re-save the file as UTF-8",
        ) from None


def read_json(path: str | os.PathLike[str]) -> Any:
    """Read a UTF-8 JSON file; a syntax error raises ``InputError`` naming line and column."""
    try:
        return json.loads(read_text(path))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg}", Location(str(path), exc.lineno, exc.colno)
        ) from None


def _iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    with open(path, "rb") as fh:
        for lineno, raw in enumerate(fh, 1):
            try:
                yield lineno, raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise RecordError(
                    f"byte 0x{raw[exc.start]:02x} is not valid UTF-8",
                    Location(str(path), lineno, exc.start + 1),
                    hint="re-save the file as UTF-8",
                ) from None


def read_jsonl(
    path: str | os.PathLike[str],
    *,
    on_error: Callable[[int, str, InputError], None] | None = None,
) -> Iterator[tuple[int, Any]]:
    """Yield ``(line_number, object)`` for each non-blank line of a JSONL file.

    A malformed line raises ``RecordError`` naming ``path:line:col``, unless ``on_error`` is
    given: it then receives ``(line_number, raw_line, error)`` and reading goes on.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: no such file", hint="check the path")
    for lineno, line in _iter_lines(p):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if "\\u" in line:
                check_encodable(obj)
            yield lineno, obj
        except RecursionError:
            err = RecordError(
                "JSON nested too deeply to read",
                Location(str(p), lineno),
                hint="flatten this record or remove it",
            )
            if on_error is None:
                raise err from None
            on_error(lineno, line, err)
        except UnicodeEncodeError as exc:
            err = RecordError(
                f"the record holds a lone UTF-16 surrogate ({exc.object[exc.start]!r}), which "
                "no UTF-8 file can hold",
                Location(str(p), lineno),
                hint="fix the \\uD800-\\uDFFF escape in this record (a broken emoji?)",
            )
            if on_error is None:
                raise err from None
            on_error(lineno, line, err)
        except json.JSONDecodeError as exc:
            err = RecordError(
                f"malformed JSON: {exc.msg}",
                Location(str(p), lineno, exc.colno),
                hint="each line must be one JSON object",
                source_line=line if len(line) < 300 else None,
            )
            if on_error is None:
                raise err from None
            on_error(lineno, line, err)


def check_encodable(obj: Any) -> None:
    """Raise ``UnicodeEncodeError`` if a string in ``obj`` cannot be written as UTF-8."""
    if isinstance(obj, str):
        obj.encode("utf-8")
    elif isinstance(obj, dict):
        for k, v in obj.items():
            check_encodable(k)
            check_encodable(v)
    elif isinstance(obj, list):
        for v in obj:
            check_encodable(v)


def read_utterances(
    path: str | os.PathLike[str],
    *,
    language: str = "en",
    on_error: Callable[[int, str, InputError], None] | None = None,
) -> Iterator[Utterance]:
    """Stream :class:`Utterance` records from our JSONL format, with located errors."""
    for lineno, obj in read_jsonl(path, on_error=on_error):
        try:
            yield Utterance.from_dict(obj, language=language)
        except InputError as exc:
            err = type(exc)(
                f"record {lineno}: {exc.message}",
                Location(str(path), lineno),
                hint=exc.hint or "fix or remove this record",
            )
            if on_error is None:
                raise err from None
            on_error(lineno, json.dumps(obj, ensure_ascii=False), err)


def dumps(obj: Any) -> str:
    """Serialise one JSONL record (UTF-8, no ASCII escaping, compact and stable)."""
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def write_jsonl(records: Iterable[Any], path: str | os.PathLike[str]) -> int:
    """Write records atomically, one JSON object per line; return how many."""
    n = 0
    with atomic_write(path) as fh:
        for r in records:
            fh.write(dumps(r))
            fh.write("\n")
            n += 1
    return n


def write_utterances_jsonl(utts: Iterable[Utterance], path: str | os.PathLike[str]) -> int:
    """Write utterances atomically in our JSONL format; return how many."""
    return write_jsonl((u.to_dict() for u in utts), path)


def open_output(path: str | os.PathLike[str]) -> contextlib.AbstractContextManager[IO[str]]:
    """Return an atomic text writer for ``path``."""
    return atomic_write(path)
