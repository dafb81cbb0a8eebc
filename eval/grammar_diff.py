"""Differential test: expand every grammar with the real Chatito / Chatette and with textsynth.

Run from the repository root::

    python -m eval.grammar_diff                 # writes eval/results/grammar_diff.json
    python -m eval.grammar_diff --write-golden  # refreshes tests/grammar/golden/peers/*.peer.json

Every ``.chatette``, ``.chatito`` and ``.tsg`` file under ``tests/grammar/`` and ``grammars/``
is expanded in full by the tool that reads its kind (Chatito 2.3.5 for ``.chatito``, Chatette
1.6.3 for the others, as textsynth reads them) and by textsynth, and the two sets of examples
(text, intent, entity start/end/label/value) are compared, with the Rasa synonym tables.
Files only included by another file are compared as part of it.

To expand in full, each file is compared through a copy in which intents declare no counts
(both tools otherwise sample), and, when the grammar has more than ``--limit`` combinations,
every definition keeps only its first rules (the fewest that leave each intent non-empty), so
each construct the file uses is still exercised.

Each file is then *identical*, a *documented* difference (``docs/grammar.md`` lists them:
``doc_*`` repros, and grammars using textsynth's extensions, which the peers cannot read), or
a *bug*.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from eval.grammar_peers import (
    CHATETTE_VERSION,
    CHATITO_VERSION,
    PeerResult,
    chatette_synonym_view,
    normalise_synonyms,
    run_peer,
    textsynth_view,
    tool_for,
)

ROOT = Path(__file__).resolve().parent.parent
DIRS = [ROOT / "tests" / "grammar", ROOT / "grammars"]
PEERS_GOLDEN = ROOT / "tests" / "grammar" / "golden" / "peers"
RESULTS = ROOT / "eval" / "results" / "grammar_diff.json"
EXTS = (".chatette", ".chatito", ".tsg")
LIMIT = 10_000

#: textsynth-only syntax: a file using it is a documented difference when the peer rejects it
EXTENSIONS = {
    "faker: slot rules": re.compile(r"^\s+(\*\[[^\]]*\]\s*)?faker:", re.M),
    "%language/%locale/%faker headers": re.compile(
        r"^%(language|locale|faker_count|faker_seed)\b", re.M
    ),
    "*[N] rule weights": re.compile(r"^\s+\*\[", re.M),
    "{a/b} choices": re.compile(r"\{[^}]*/[^}]*\}"),
}
#: peer failures that are the peer's own bugs: (pattern in its error message, reason)
PEER_BUGS = [
    (
        "intent_ref_start",
        "Chatette 1.6.3 crashes on an intent reference %[..] inside a rule (its parser tests "
        "intent_ref_end where it means intent_ref_start)",
    ),
]
SLASH_NOTE = "Chatette lists the texts of `= /` slot rules under the value '/' in its synonym table"
_INCLUDE = re.compile(r"^\s*(?:\|\s*|import\s+)(\S[^/;]*?)\s*(?://.*|;.*)?$", re.M)
_DECL = re.compile(r"^[%~@]\[")


def grammar_files() -> list[Path]:
    """Return every grammar file to compare (files only included by others are left out)."""
    files = sorted(p for d in DIRS for p in d.rglob("*") if p.suffix in EXTS and p.is_file())
    included = set()
    for p in files:
        for m in _INCLUDE.finditer(p.read_text(encoding="utf-8-sig")):
            included.add((p.parent / m.group(1).strip()).resolve())
    return [p for p in files if p.resolve() not in included and not p.name.startswith("_")]


def _strip_counts(line: str) -> str:
    """Drop an intent declaration's counts (keep Chatito's other arguments)."""
    m = re.match(r"^(%\[[^\]]*\])\s*\((.*)\)\s*$", line)
    if not m:
        return line
    keep = [
        a.strip()
        for a in m.group(2).split(",")
        if ":" in a and not re.search(r"train|test|^\s*\d+\s*$", a.split(":")[0])
    ]
    return m.group(1) + (f"({', '.join(keep)})" if keep else "")


def reduced_copy(src: Path, dest_dir: Path, keep: int | None) -> Path:
    """Copy ``src`` (and what it includes) into ``dest_dir`` without intent counts, keeping
    the first ``keep`` rules of each definition (all when ``None``)."""
    out = dest_dir / src.name
    lines, n = [], 0
    for line in src.read_text(encoding="utf-8-sig").splitlines():
        if _DECL.match(line):
            n = 0
            line = _strip_counts(line) if line.startswith("%[") else line
        elif line[:1] in (" ", "\t") and line.strip() and not line.strip().startswith("//"):
            n += 1
            if keep is not None and n > keep:
                continue
        lines.append(line)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for m in _INCLUDE.finditer(src.read_text(encoding="utf-8-sig")):
        inc = (src.parent / m.group(1).strip()).resolve()
        target = dest_dir / m.group(1).strip()
        if inc.exists() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            reduced_copy(inc, target.parent, keep)
    return out


def _combinations(path: Path) -> int | None:
    from textsynth.errors import TextsynthError
    from textsynth.grammar import count, load_grammar

    try:
        return sum(count(load_grammar(path)).values())
    except TextsynthError:
        return None


def prepared(src: Path, work: Path, limit: int) -> tuple[Path, int | None, int | None]:
    """Return the copy of ``src`` to compare, how many rules per definition it keeps, and its
    number of combinations (``None`` when textsynth rejects it)."""
    for keep in (None, 6, 4, 3, 2, 1):
        d = work / f"keep{keep}"
        d.mkdir(parents=True, exist_ok=True)
        path = reduced_copy(src, d, keep)
        n = _combinations(path)
        if n is None or n <= limit:
            return path, keep, n
    return path, 1, n


def extensions_used(path: Path) -> list[str]:
    """Return the textsynth-only constructs ``path`` uses."""
    text = path.read_text(encoding="utf-8-sig")
    return [name for name, rx in EXTENSIONS.items() if rx.search(text)]


def documented_reason(path: Path, peer: PeerResult) -> str | None:
    """Return why a difference on ``path`` is documented, or ``None``."""
    first = path.read_text(encoding="utf-8-sig").splitlines()[0]
    for pattern, reason in PEER_BUGS:
        if peer.error and pattern in peer.error:
            return reason
    if path.stem.startswith("doc_"):
        return first.split("documented difference:", 1)[-1].strip(" /")
    used = extensions_used(path)
    if used and tool_for(path) == "chatette":
        return "uses textsynth extensions the peer does not read: " + ", ".join(used)
    return None


def compare(src: Path, limit: int = LIMIT, timeout: float = 600) -> dict:
    """Compare one grammar; return its row."""
    rel = str(src.relative_to(ROOT))
    with tempfile.TemporaryDirectory() as tmp:
        path, keep, combos = prepared(src, Path(tmp), limit)
        row: dict = {"file": rel, "tool": tool_for(src), "rules_kept": keep or "all"}
        row["combinations"] = combos
        if combos is not None and combos > limit:
            row["status"] = "too_large"
            row["reason"] = f"{combos:,} combinations even with one rule per definition"
            used = extensions_used(src)
            if used and tool_for(src) == "chatette":
                try:  # the peer may still reject the syntax at once
                    peer = run_peer(path, 60)
                except subprocess.TimeoutExpired:
                    return row
                if peer.error:
                    row["tool"] = peer.tool
                    row["peer_error"] = peer.error.replace(str(path.parent) + "/", "")
                    row["status"] = "documented"
                    row["reason"] = "uses textsynth extensions the peer does not read: " + (
                        ", ".join(used)
                    )
            return row
        t0 = time.perf_counter()
        try:
            peer = run_peer(path, timeout)
        except subprocess.TimeoutExpired:
            row["status"], row["reason"] = "timeout", f"the peer took more than {timeout:.0f} s"
            return row
        peer_s = time.perf_counter() - t0
        ours = textsynth_view(path)
        if keep is None and not peer.error and ours.error:
            # the copy drops intent counts; a tool may only check some things when sampling
            # (Chatito checks rule weights then), so ask it about the original file too
            original = run_peer(src, timeout)
            if original.error:
                peer = original
    row["tool"] = peer.tool
    row["peer_examples"] = None if peer.error else len(peer.examples)
    row["textsynth_examples"] = None if ours.error else len(ours.examples)
    tmp_dir = str(path.parent) + "/"
    row["peer_error"] = peer.error and peer.error.replace(tmp_dir, "")
    row["textsynth_error"] = ours.error and ours.error.replace(tmp_dir, "")
    row["peer_s"] = round(peer_s, 2)
    if peer.error or ours.error:
        same = bool(peer.error and ours.error)
        syn_same = True
    else:
        same = peer.examples == ours.examples
        theirs = normalise_synonyms(peer.synonyms)
        mine = (
            chatette_synonym_view(ours, ours.synonyms)
            if tool_for(src) == "chatette"
            else normalise_synonyms(ours.synonyms)
        )
        syn_same = theirs == mine
        if "/" in theirs and not syn_same:
            row["synonym_note"] = SLASH_NOTE
        if not syn_same:
            row["synonyms"] = {"peer": theirs, "textsynth": mine}
        if not same:
            a = {json.dumps(e, sort_keys=True) for e in peer.examples}
            b = {json.dumps(e, sort_keys=True) for e in ours.examples}
            row["only_peer"] = sorted(a - b)[:5]
            row["only_textsynth"] = sorted(b - a)[:5]
    reason = documented_reason(src, peer)
    if same and row.get("synonym_note"):
        reason = reason or SLASH_NOTE
    if same and syn_same:
        row["status"] = "identical"
    elif reason:
        row["status"], row["reason"] = "documented", reason
    else:
        row["status"] = "bug"
    return row


def write_golden() -> list[Path]:
    """Run the real tools on every repro in ``tests/grammar/golden/peers``; save their output."""
    written = []
    for src in sorted(PEERS_GOLDEN.glob("*")):
        if src.suffix not in EXTS or src.name.startswith("_"):
            continue
        result = run_peer(src).to_dict()
        dest = src.with_name(src.name + ".peer.json")
        dest.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        written.append(dest)
    return written


def readme_rows(rows: list[dict]) -> list[dict]:
    rows = [r for r in rows if r["status"] in ("identical", "documented", "bug")]
    total = len(rows)
    counts = {s: sum(r["status"] == s for r in rows) for s in ("identical", "documented", "bug")}
    peer = f"Chatito {CHATITO_VERSION} / Chatette {CHATETTE_VERSION}"
    out = []
    for status, measure in (
        ("identical", "grammars expanded identically (text, intent, spans, synonyms)"),
        ("documented", "grammars with a documented difference"),
        ("bug", "grammars that differ because of a bug"),
    ):
        out.append(
            {
                "benchmark": "grammar compatibility",
                "measure": measure,
                "textsynth": counts[status],
                "peer": peer,
                "peer_value": total,
                "ratio": None,  # counts of grammars, not a comparison with the peer
                "note": f"{counts[status]} of the {total} grammars of tests/grammar/ and "
                "grammars/ that both could expand in full",
            }
        )
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write-golden", action="store_true", help="refresh the peers' goldens")
    ap.add_argument("--limit", type=int, default=LIMIT, help="largest grammar expanded whole")
    args = ap.parse_args(argv)
    if args.write_golden:
        for p in write_golden():
            print("wrote", p.relative_to(ROOT))
        return
    from textsynth.io import atomic_write

    rows = []
    for src in grammar_files():
        row = compare(src, args.limit)
        rows.append(row)
        print(
            f"{row['status']:<10} {row['file']}  ({row['tool']}, rules kept: {row['rules_kept']})"
        )
    counts = {
        s: sum(r["status"] == s for r in rows)
        for s in ("identical", "documented", "bug", "too_large", "timeout")
    }
    doc = {
        "chatito_version": CHATITO_VERSION,
        "chatette_version": CHATETTE_VERSION,
        "grammars": len(rows),
        "counts": counts,
        "files": rows,
        "readme_rows": readme_rows(rows),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(RESULTS) as fh:
        fh.write(json.dumps(doc, ensure_ascii=False, indent=1) + "\n")
    print(json.dumps(counts))
    shutil.rmtree(ROOT / "eval" / ".cache" / "grammar_diff", ignore_errors=True)


if __name__ == "__main__":
    main()
