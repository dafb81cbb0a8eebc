"""Run Presidio's analyzer (and anonymizer) on texts; run in Presidio's own virtualenv.

Usage: python presidio_driver.py IN.json OUT.json MODEL [--per-doc N] [--anonymize N]
IN.json holds {"texts": [...]}; OUT.json gets predicted spans of the batch run and timings.
"""

from __future__ import annotations

import argparse
import json
import time


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("inp")
    ap.add_argument("out")
    ap.add_argument("model")
    ap.add_argument("--per-doc", type=int, default=0, help="also time analyze() one text at a time")
    ap.add_argument("--anonymize", type=int, default=0, help="also time analyze+anonymize")
    ap.add_argument("--n-process", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--no-spans", action="store_true")
    a = ap.parse_args()

    from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_anonymizer import AnonymizerEngine

    texts = json.load(open(a.inp, encoding="utf-8"))["texts"]
    conf = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": a.model}]}
    t0 = time.perf_counter()
    engine = NlpEngineProvider(nlp_configuration=conf).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])
    batch = BatchAnalyzerEngine(analyzer_engine=analyzer)
    analyzer.analyze("warm up John Smith", language="en")
    load_s = time.perf_counter() - t0
    out: dict = {
        "load_s": load_s,
        "n": len(texts),
        "presidio_nlp_pipes": engine.nlp["en"].pipe_names,
    }

    t0 = time.perf_counter()
    kwargs = {"n_process": a.n_process} if a.n_process > 1 else {}
    results = list(batch.analyze_iterator(texts, language="en", batch_size=a.batch_size, **kwargs))
    out["batch_s"] = time.perf_counter() - t0
    if not a.no_spans:
        out["spans"] = [[[r.start, r.end, r.entity_type, r.score] for r in rs] for rs in results]

    if a.per_doc:
        sub = texts[: a.per_doc]
        t0 = time.perf_counter()
        for t in sub:
            analyzer.analyze(t, language="en")
        out["per_doc_s"], out["per_doc_n"] = time.perf_counter() - t0, len(sub)
    if a.anonymize:
        anon = AnonymizerEngine()
        sub = texts[: a.anonymize]
        t0 = time.perf_counter()
        for t in sub:
            anon.anonymize(text=t, analyzer_results=analyzer.analyze(t, language="en"))
        out["anonymize_s"], out["anonymize_n"] = time.perf_counter() - t0, len(sub)
    json.dump(out, open(a.out, "w", encoding="utf-8"))


if __name__ == "__main__":
    main()
