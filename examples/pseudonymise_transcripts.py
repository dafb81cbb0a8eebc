"""Pseudonymise support transcripts: consistent, realistic surrogates, structure kept.

Run: ``python examples/pseudonymise_transcripts.py [IN.jsonl] [OUT.jsonl]``
(the same as ``textsynth pii scrub IN -o OUT``). The key comes from ``$TEXTSYNTH_PII_KEY`` (or
``--key-file`` with the CLI); set it so that the same person gets the same surrogate across
files and runs. Without it a random key is used and a warning says so.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from textsynth.errors import Location, RecordError, TextsynthError
from textsynth.io import atomic_write, read_jsonl
from textsynth.pii import Pseudonymiser
from textsynth.pii.keys import load_key

HERE = Path(__file__).parent


def checked(rec: object, path: Path, line: int) -> dict:
    """Return ``rec`` if it is a transcript (``{"turns": [{"text": ...}, ...]}``); else refuse."""
    turns = rec.get("turns") if isinstance(rec, dict) else None
    if not isinstance(turns, list) or not all(
        isinstance(t, dict) and isinstance(t.get("text"), str) for t in turns
    ):
        raise RecordError(
            'not a transcript: expected {"turns": [{"speaker": ..., "text": ...}, ...]}',
            Location(str(path), line),
            hint="fix or remove this record (examples/transcripts.jsonl shows the form)",
        )
    return rec


def main() -> None:
    """Scrub every turn; turns of one transcript share names, so "Ms. X" follows "Jane X"."""
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "transcripts.jsonl"
    dst = Path(sys.argv[2]) if len(sys.argv) > 2 else Path("transcripts.scrubbed.jsonl")
    records = [checked(rec, src, line) for line, rec in read_jsonl(src)]
    ps = Pseudonymiser(lang="en", key=load_key())  # $TEXTSYNTH_PII_KEY, else a random key
    docs = [[turn["text"] for turn in r["turns"]] for r in records]
    scrubbed = ps.scrub_documents(docs)
    with atomic_write(dst) as fh:
        for rec, turns in zip(records, scrubbed, strict=True):
            new_turns = [{**t, "text": s.text} for t, s in zip(rec["turns"], turns, strict=True)]
            fh.write(json.dumps({**rec, "turns": new_turns}, ensure_ascii=False) + "\n")
    for rec, turns in zip(records, scrubbed, strict=True):
        print(f"--- {rec['id']}")
        for t, s in zip(rec["turns"], turns, strict=True):
            print(f"  {t.get('speaker', ''):>8}: {t['text']}\n  {'':>8}→ {s.text}")
    print(f"\nwrote {dst}")


if __name__ == "__main__":
    try:
        main()
    except TextsynthError as exc:  # bad input: the message names the file, line and what to do
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(exc.exit_code)
