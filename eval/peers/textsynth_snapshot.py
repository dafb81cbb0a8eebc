"""Scrub texts with a snapshot of textsynth's code (``PYTHONPATH`` = the snapshot): the baseline.

Usage: python textsynth_snapshot.py IN.json OUT.json KEY
IN.json holds {"docs": [[text, ...], ...], "languages": [lang, ...]}; OUT.json gets, per text,
the scrubbed text and the edits ``[start, end, type, new_start, new_end]``.
"""

from __future__ import annotations

import json
import sys
import time


def main() -> None:
    inp, out, key = sys.argv[1:4]
    from textsynth.pii import Pseudonymiser, SpacyNer

    data = json.load(open(inp, encoding="utf-8"))
    ps = Pseudonymiser(lang="auto", key=key.encode(), ner=SpacyNer())
    t0 = time.perf_counter()
    res = []
    docs, langs = data["docs"], data["languages"]
    for i in range(0, len(docs), 64):
        for doc in ps.scrub_documents(docs[i : i + 64], languages=langs[i : i + 64]):
            res.append(
                [
                    [r.text, [[e.start, e.end, e.entity, e.new_start, e.new_end] for e in r.edits]]
                    for r in doc
                ]
            )
    json.dump({"docs": res, "seconds": time.perf_counter() - t0}, open(out, "w", encoding="utf-8"))


if __name__ == "__main__":
    main()
