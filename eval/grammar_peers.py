"""Run the real Chatito and Chatette on a grammar and read back what they generate.

Both tools are installed on first use, outside the repository's tracked tree:

* Chatito 2.3.5 from npm into ``eval/.cache/chatito`` (run through ``eval/peers/chatito_driver.js``,
  which calls Chatito's own Rasa adapter);
* Chatette 1.6.3 from PyPI into its own virtualenv ``eval/.venvs/chatette``.

Every intent is expanded in full (neither tool samples when no count is declared). The result
of a run is a :class:`PeerResult`: the examples (text, intent, entities with start, end, entity
and value), sorted, plus the Rasa synonym table, or the tool's error message.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHATITO_VERSION = "2.3.5"
CHATETTE_VERSION = "1.6.3"
CHATITO_DIR = ROOT / "eval" / ".cache" / "chatito"
CHATETTE_VENV = ROOT / "eval" / ".venvs" / "chatette"
DRIVER = ROOT / "eval" / "peers" / "chatito_driver.js"

__all__ = [
    "PeerResult",
    "chatette_synonym_view",
    "ensure_chatette",
    "ensure_chatito",
    "normalise_synonyms",
    "run_peer",
    "textsynth_view",
    "tool_for",
]


@dataclass
class PeerResult:
    """What one tool made of one grammar.

    Attributes:
        tool: ``"chatito 2.3.5"`` or ``"chatette 1.6.3"``.
        examples: ``{"text", "intent", "entities": [{"start", "end", "entity", "value"}]}``,
            sorted by (intent, text).
        synonyms: the Rasa ``entity_synonyms`` table as ``{value: sorted synonyms}``.
        error: the tool's error message when it rejected the grammar, else ``None``.
    """

    tool: str
    examples: list[dict] = field(default_factory=list)
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    error: str | None = None

    def to_dict(self) -> dict:
        """Return the JSON form written to the golden files."""
        out: dict = {"tool": self.tool}
        if self.error is not None:
            out["error"] = self.error
            return out
        out["count"] = len(self.examples)
        out["examples"] = self.examples
        out["synonyms"] = self.synonyms
        return out


def tool_for(path: Path) -> str:
    """Return which peer reads ``path``: ``chatito`` for ``.chatito``, else ``chatette``."""
    return "chatito" if path.suffix == ".chatito" else "chatette"


def ensure_chatito() -> Path:
    """Install Chatito from npm if needed; return its ``dist`` folder."""
    dist = CHATITO_DIR / "node_modules" / "chatito" / "dist"
    if not dist.exists():
        CHATITO_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--no-save",
                "--no-audit",
                "--no-fund",
                f"chatito@{CHATITO_VERSION}",
            ],
            cwd=CHATITO_DIR,
            check=True,
            capture_output=True,
        )
    return dist


def ensure_chatette() -> str:
    """Create the Chatette virtualenv if needed; return the installed version."""
    py = CHATETTE_VENV / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(CHATETTE_VENV)], check=True)
        subprocess.run(
            [str(py), "-m", "pip", "install", "-q", f"chatette=={CHATETTE_VERSION}"], check=True
        )
    out = subprocess.run(
        [str(py), "-m", "pip", "show", "chatette"], capture_output=True, text=True, check=True
    ).stdout
    return re.search(r"Version: (\S+)", out).group(1)  # type: ignore[union-attr]


def _examples(rasa_docs: list[dict]) -> tuple[list[dict], dict[str, list[str]]]:
    examples: list[dict] = []
    synonyms: dict[str, set[str]] = {}
    for doc in rasa_docs:
        data = doc.get("rasa_nlu_data", {})
        for ex in data.get("common_examples", []):
            ents = sorted(
                (
                    {
                        "start": e["start"],
                        "end": e["end"],
                        "entity": e["entity"],
                        "value": e["value"],
                    }
                    for e in ex.get("entities", [])
                ),
                key=lambda e: (e["start"], e["end"]),
            )
            examples.append({"text": ex["text"], "intent": ex["intent"], "entities": ents})
        for s in data.get("entity_synonyms", []):
            synonyms.setdefault(s["value"], set()).update(s.get("synonyms", []))
    examples.sort(key=lambda e: (e["intent"], e["text"], json.dumps(e["entities"])))
    return examples, {k: sorted(v) for k, v in sorted(synonyms.items())}


def _first_line(text: str) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return lines[-1][:300] if lines else "failed"


def run_chatito(path: Path, timeout: float = 120) -> PeerResult:
    """Expand ``path`` with the real Chatito."""
    dist = ensure_chatito()
    tool = f"chatito {CHATITO_VERSION}"
    proc = subprocess.run(
        ["node", str(DRIVER), str(dist), str(path)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if proc.returncode != 0:
        return PeerResult(tool, error=_first_line(proc.stderr))
    doc = json.loads(proc.stdout)
    examples, synonyms = _examples([doc["training"], doc["testing"]])
    return PeerResult(tool, examples, synonyms)


def run_chatette(path: Path, timeout: float = 120) -> PeerResult:
    """Expand ``path`` with the real Chatette (Rasa JSON adapter, every example)."""
    version = ensure_chatette()
    tool = f"chatette {version}"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        proc = subprocess.run(
            [str(CHATETTE_VENV / "bin" / "python"), "-m", "chatette", str(path.resolve())]
            + ["-o", str(out), "-a", "rasa", "-s", "1", "-f"],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=tmp,
        )
        files = sorted(out.rglob("*.json")) if out.exists() else []
        if proc.returncode != 0 or not files or "Traceback" in proc.stderr:
            return PeerResult(tool, error=_first_line(proc.stderr or proc.stdout))
        docs = [json.loads(f.read_text(encoding="utf-8")) for f in files]
        shutil.rmtree(out, ignore_errors=True)
    examples, synonyms = _examples(docs)
    return PeerResult(tool, examples, synonyms)


def run_peer(path: Path, timeout: float = 120) -> PeerResult:
    """Expand ``path`` with the tool its extension names (see :func:`tool_for`)."""
    if tool_for(path) == "chatito":
        return run_chatito(path, timeout)
    return run_chatette(path, timeout)


def normalise_synonyms(table: dict[str, list[str]]) -> dict[str, list[str]]:
    """Return ``{value: sorted surfaces}`` without a value's own text and without empty entries."""
    out = {}
    for value, surfaces in table.items():
        rest = sorted({s for s in surfaces if s != value})
        if rest:
            out[value] = rest
    return dict(sorted(out.items()))


def textsynth_view(path: Path) -> PeerResult:
    """Expand ``path`` with textsynth in the peers' shape: every example, and the Rasa JSON
    synonym table as textsynth's ``rasa-json`` writer writes it."""
    from textsynth import formats
    from textsynth.errors import TextsynthError
    from textsynth.grammar import expand, load_grammar

    tool = "textsynth"
    try:
        grammar = load_grammar(path)
        utts = list(expand(grammar))
    except TextsynthError as exc:
        return PeerResult(tool, error=str(exc).splitlines()[0])
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.rasa.json"
        formats.write(utts, out, "rasa-json")
        doc = json.loads(out.read_text(encoding="utf-8"))
    examples, synonyms = _examples([doc])
    return PeerResult(tool, examples, synonyms)


def chatette_synonym_view(result: PeerResult, table: dict[str, list[str]]) -> dict:
    """Return textsynth's synonym table as Chatette would list it for the same examples.

    Chatette lists a value only when at least two texts map to it (counting the value's own
    text), so ``okay = fine`` alone gets no entry.
    """
    own: dict[str, set[str]] = {}
    for ex in result.examples:
        for e in ex["entities"]:
            own.setdefault(e["value"], set()).add(ex["text"][e["start"] : e["end"]])
    kept = {v: s for v, s in table.items() if len(own.get(v, set()) | set(s)) > 1}
    return normalise_synonyms(kept)
