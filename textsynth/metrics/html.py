"""Render a :class:`~textsynth.metrics.report.Report` as one self-contained HTML page.

Plots are drawn with matplotlib (Agg) into inline SVG; there are no external scripts, styles,
fonts or images, so the file can be mailed or attached to a ticket. The page only needs data
from the report's JSON, so ``Report.load(dir).to_html()`` re-renders a saved report.
"""

from __future__ import annotations

import html
import io
import json
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from textsynth.metrics.report import Report

__all__ = ["render"]

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2em auto;
max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.5em}
h2{font-size:1.2em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:2em}
table{border-collapse:collapse;width:100%;font-size:.9em}
th,td{border-bottom:1px solid #eee;padding:.35em .5em;text-align:left;vertical-align:top}
th{background:#f6f6f6}td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
.bar{display:inline-block;height:.7em;background:#4c78a8;vertical-align:middle;margin-right:.4em}
.muted{color:#777}.plots{display:flex;flex-wrap:wrap;gap:1em}.plot{flex:1 1 480px}
.plot svg{width:100%;height:auto}pre{background:#f8f8f8;padding:.6em;overflow:auto;font-size:.8em}
details{margin:.3em 0}summary{cursor:pointer}
"""

# Records any script error in the title and the DOM so headless checks can see it.
_JS = """
window.onerror=function(m){document.title='JSERROR: '+m;
document.documentElement.setAttribute('data-js-error',String(m));};
document.addEventListener('DOMContentLoaded',function(){
document.documentElement.setAttribute('data-ready','1');
document.querySelectorAll('[data-score]').forEach(function(e){
e.style.width=(100*parseFloat(e.getAttribute('data-score'))).toFixed(0)+'px';});});
"""


def _svg(fig: Any) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    text = buf.getvalue()
    return text[text.find("<svg") :]  # drop the XML prolog and DOCTYPE


def _figure(w: float = 6.4, h: float = 3.6) -> tuple[Any, Any]:
    # a bare Figure (no pyplot): no global figure manager, nothing to close
    from matplotlib.figure import Figure

    fig = Figure(figsize=(w, h))
    return fig, fig.add_subplot()


def _intent_plot(summary: dict[str, Any]) -> str | None:
    counts = summary.get("intents") or {}
    sets = [s for s in ("synthetic", "seeds", "holdout") if counts.get(s)]
    if not sets:
        return None
    intents = sorted(set().union(*(counts[s] for s in sets)))
    fig, ax = _figure(6.4, 0.35 * len(intents) + 1.5)
    y = np.arange(len(intents))
    h = 0.8 / len(sets)
    for i, s in enumerate(sets):
        tot = sum(counts[s].values()) or 1
        ax.barh(y + i * h, [counts[s].get(it, 0) / tot for it in intents], height=h, label=s)
    ax.set_yticks(y + h * (len(sets) - 1) / 2, intents, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("share of utterances")
    ax.set_title("Intent distribution")
    ax.legend(fontsize=8)
    return _svg(fig)


def _length_plot(b: dict[str, Any]) -> str | None:
    hist = b.get("histogram") or {}
    edges = hist.get("edges")
    if not edges:
        return None
    fig, ax = _figure()
    x = np.asarray(edges[:-1])
    for s in ("synthetic", "seeds", "holdout"):
        if s in hist:
            c = np.asarray(hist[s], dtype=float)
            ax.step(x, c / max(c.sum(), 1), where="mid", label=s)
    ax.set_xlabel("tokens per utterance (last bin: longer)")
    ax.set_ylabel("share")
    ax.set_title("Length distribution")
    ax.legend(fontsize=8)
    return _svg(fig)


def _fidelity_plot(b: dict[str, Any]) -> str | None:
    per = b.get("per_intent") or {}
    if not per:
        return None
    names = list(per)
    fig, ax = _figure(6.4, 0.3 * len(names) + 1.5)
    ax.barh(names, [per[n]["fidelity"] for n in names], color="#4c78a8")
    ref = (b.get("oracle") or {}).get("test_accuracy")
    if ref is not None:
        ax.axvline(ref, color="#e45756", ls="--", label="oracle test accuracy")
        ax.legend(fontsize=8, loc="lower left")
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel("share labelled as intended by the oracle")
    ax.set_title("Intent fidelity per intent")
    return _svg(fig)


def _confusion_plot(b: dict[str, Any]) -> str | None:
    conf = b.get("confusion") or {}
    if not conf.get("rows"):
        return None
    m = np.asarray(conf["matrix"], dtype=float)
    m = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
    rows, cols = conf["rows"], conf["columns"]
    fig, ax = _figure(0.45 * len(cols) + 3, 0.4 * len(rows) + 2)
    im = ax.imshow(m, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(cols)), cols, rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(rows)), rows, fontsize=7)
    if m.size <= 400:
        for i in range(m.shape[0]):
            for j in range(m.shape[1]):
                if m[i, j] >= 0.005:
                    ax.text(
                        j,
                        i,
                        f"{m[i, j]:.2f}",
                        ha="center",
                        va="center",
                        fontsize=6,
                        color="white" if m[i, j] > 0.5 else "black",
                    )
    ax.set_xlabel("oracle label")
    ax.set_ylabel("intended intent")
    ax.set_title("Confusion (row-normalised)")
    fig.colorbar(im, ax=ax, fraction=0.04)
    return _svg(fig)


def _hist_plot(hist: dict[str, Any], series: list[tuple[str, str]], title: str) -> str | None:
    edges = hist.get("edges")
    present = [(k, lab) for k, lab in series if k in hist]
    if not edges or not present:
        return None
    fig, ax = _figure()
    e = np.asarray(edges)
    for key, label in present:
        c = np.asarray(hist[key], dtype=float)
        ax.stairs(c / max(c.sum(), 1), e, label=label, fill=False, linewidth=1.5)
    ax.set_xlabel("cosine distance to the closest record (last bin: larger)")
    ax.set_ylabel("share")
    ax.set_title(title)
    ax.legend(fontsize=8)
    return _svg(fig)


def _plots(report: Report) -> list[str]:
    import matplotlib

    out: list[str | None] = []
    with matplotlib.rc_context({"svg.fonttype": "none", "font.size": 9}):
        out.append(_intent_plot(report.summary))
        if "length-distribution" in report:
            out.append(_length_plot(report["length-distribution"].breakdown))
        if "intent-fidelity" in report:
            b = report["intent-fidelity"].breakdown
            out += [_fidelity_plot(b), _confusion_plot(b)]
        if "dcr" in report:
            out.append(
                _hist_plot(
                    report["dcr"].breakdown.get("histogram", {}),
                    [("synthetic", "synthetic → seeds"), ("holdout", "holdout → seeds")],
                    "Distance to closest seed (DCR)",
                )
            )
        if "dcr-share" in report:
            out.append(
                _hist_plot(
                    report["dcr-share"].breakdown.get("histogram", {}),
                    [("to_seeds", "synthetic → seeds"), ("to_holdout", "synthetic → holdout")],
                    "Synthetic: closest seed vs closest holdout (same sizes)",
                )
            )
    return [p for p in out if p]


def _table(report: Report) -> str:
    e = html.escape
    head = (
        "<tr><th>metric</th><th>value</th><th>score</th><th>real reference</th>"
        "<th>better</th><th>what good means</th></tr>"
    )
    body = []
    by_name = {r.name: r for r in report}
    for row in report.rows():
        r = by_name[row["metric"]]
        score = r.score
        bar = (
            f'<span class="bar" data-score="{score:.4f}"></span>{score:.2f}'
            if score is not None
            else '<span class="muted">–</span>'
        )
        body.append(
            f'<tr><td title="{e(r.description)}"><b>{e(row["metric"])}</b><br>'
            f'<span class="muted">{e(row["section"])}</span></td>'
            f'<td class="num">{e(row["value"])}</td><td class="num">{bar}</td>'
            f"<td>{e(row['reference'])}</td><td>{e(row['goal'])}</td><td>{e(row['good'])}</td></tr>"
        )
    return f"<table>{head}{''.join(body)}</table>"


def render(report: Report) -> str:
    """Return the report as one HTML document."""
    e = html.escape
    summary = report.summary
    sizes = ", ".join(f"{n} {k}" for k, n in (summary.get("sizes") or {}).items() if n)
    opts = {
        k: summary[k]
        for k in ("seed", "embeddings", "classifier_features", "embedding_model")
        if k in summary
    }
    skipped = "".join(f"<li><b>{e(k)}</b>: {e(v)}</li>" for k, v in report.skipped.items())
    data = report.to_dict()["metrics"]
    details = "".join(
        f"<details><summary><b>{e(r.name)}</b> — {e(r.description)}</summary>"
        f"<pre>{e(json.dumps(data[r.name]['breakdown'], indent=1, ensure_ascii=False))}</pre>"
        "</details>"
        for r in report
    )
    plots = "".join(f'<div class="plot">{p}</div>' for p in _plots(report))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>textsynth evaluation report</title><style>{_CSS}</style>"
        f"<script>{_JS}</script></head><body>"
        f"<h1>textsynth evaluation report</h1><p>{e(sizes)}</p>"
        f'<p class="muted">{e(json.dumps(opts))}</p>'
        f"<h2>Summary</h2>{_table(report)}"
        + (f"<h2>Skipped</h2><ul>{skipped}</ul>" if skipped else "")
        + f'<h2>Plots</h2><div class="plots">{plots}</div>'
        f"<h2>Details</h2>{details}"
        "</body></html>\n"
    )
