"""Render a :class:`~textsynth.metrics.report.Report` as one self-contained HTML page.

Plots are drawn with matplotlib (Agg) into inline SVG; there are no external scripts, styles,
fonts or images, so the file can be mailed or attached to a ticket. The page only needs data
from the report's JSON, so ``Report.load(dir).to_html()`` re-renders a saved report.
"""

from __future__ import annotations

import html
import io
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
.v{display:inline-block;padding:0 .45em;border-radius:.6em;font-weight:600;font-size:.85em}
.v-pass{background:#d8f0d8;color:#1d5e1d}.v-warn{background:#fbeccb;color:#7a5200}
.v-fail{background:#f7d4d4;color:#8a1c1c}.v-info{background:#eee;color:#555}
mark{background:#dcebfa;border-radius:.2em;padding:0 .15em}mark sub{color:#3b5f85;font-size:.7em}
mark.bad{background:#fbd5d5}mark.bad sub{color:#8a1c1c}
tr.flag td{background:#fff8ec}.flags{color:#8a1c1c;font-size:.85em}
table.kv{width:auto}table.kv th{font-weight:600;background:none;padding-right:1.5em}
table.inner{font-size:.95em;margin:.2em 0}table.inner th{background:#fafafa}
"""

# Records any script error in the title and the DOM so headless checks can see it.
_JS = """
window.onerror=function(m){document.title='JSERROR: '+m;
document.documentElement.setAttribute('data-js-error',String(m));};
document.addEventListener('DOMContentLoaded',function(){
document.documentElement.setAttribute('data-ready','1');});
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


def _confusion_plot(
    b: dict[str, Any], ylabel: str = "intended intent", xlabel: str = "oracle label"
) -> str | None:
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
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
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
        if "slot-fidelity" in report:
            b = report["slot-fidelity"].breakdown
            out += [_slot_plot(b), _confusion_plot(b, "generated label", "tagger label")]
        if "fluency" in report:
            out.append(_fluency_plot(report["fluency"].breakdown))
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


def _fluency_plot(b: dict[str, Any]) -> str | None:
    hist = b.get("histogram") or {}
    edges = hist.get("edges")
    if not edges:
        return None
    fig, ax = _figure()
    e = np.asarray(edges)
    for key in ("synthetic", "seeds"):
        if key in hist:
            c = np.asarray(hist[key], dtype=float)
            ax.stairs(c / max(c.sum(), 1), e, label=key, fill=False, linewidth=1.5)
    if b.get("seed_p5") is not None:
        ax.axvline(b["seed_p5"], color="#e45756", ls="--", label="seeds' 5th percentile")
    ax.set_xlabel("mean log-likelihood per token (nats; higher = more fluent)")
    ax.set_ylabel("share")
    ax.set_title("Fluency distribution")
    ax.legend(fontsize=8)
    return _svg(fig)


def _slot_plot(b: dict[str, Any]) -> str | None:
    per = b.get("per_label") or {}
    names = [n for n in per if per[n].get("f1") is not None]
    if not names:
        return None
    fig, ax = _figure(6.4, 0.3 * len(names) + 1.5)
    ax.barh(names, [per[n]["f1"] for n in names], color="#4c78a8")
    ax.set_xlim(0, 1)
    ax.invert_yaxis()
    ax.tick_params(axis="y", labelsize=8)
    ax.set_xlabel("span F1 against the slot tagger")
    ax.set_title("Slot fidelity per label")
    return _svg(fig)


def _badge(status: str) -> str:
    return f'<span class="v v-{html.escape(status)}">{html.escape(status)}</span>'


def _table(report: Report) -> str:
    from textsynth.metrics.verdict import verdict

    e = html.escape
    head = (
        "<tr><th>metric</th><th>value</th><th>verdict</th><th>real reference</th>"
        "<th>better</th><th>what good means</th></tr>"
    )
    body = []
    by_name = {r.name: r for r in report}
    for row in report.rows():
        r = by_name[row["metric"]]
        v = verdict(r)
        body.append(
            f'<tr data-metric="{e(r.name)}" data-verdict="{e(v.status)}">'
            f'<td title="{e(r.description)}"><b>{e(row["metric"])}</b><br>'
            f'<span class="muted">{e(row["section"])}</span></td>'
            f'<td class="num">{e(row["value"])}</td>'
            f'<td>{_badge(v.status)}<br><span class="muted">{e(v.rule)}</span></td>'
            f"<td>{e(row['reference'])}</td><td>{e(row['goal'])}</td><td>{e(row['good'])}</td></tr>"
        )
    return f"<table>{head}{''.join(body)}</table>"


# ----- the header: inputs, date, version -----------------------------------------------------
def _header(summary: dict[str, Any]) -> str:
    e = html.escape
    sizes = summary.get("sizes") or {}
    inputs = summary.get("inputs") or {}
    rows = []
    for name in ("synthetic", "seeds", "holdout", "reference", "test"):
        if name in sizes or name in inputs:
            f = inputs.get(name)
            where = f"<code>{e(f)}</code>" if f else '<span class="muted">given in code</span>'
            rows.append(
                f"<tr><th>{e(name)}</th><td>{where}</td>"
                f"<td>{sizes.get(name, 0):,} utterances</td></tr>"
            )
    rejected = summary.get("rejected_records")
    if rejected:
        rows.append(
            f"<tr><th>unreadable</th><td colspan=2>{rejected:,} synthetic records</td></tr>"
        )
    opts = [
        ("created", summary.get("created")),
        ("textsynth", summary.get("textsynth_version")),
        ("seed", summary.get("seed")),
        ("embeddings", summary.get("embeddings")),
        ("embedding model", summary.get("embedding_model")),
        ("classifiers", summary.get("classifier_features")),
        ("slot tagger", summary.get("slot_tagger")),
        ("fluency", summary.get("fluency")),
    ]
    orow = "".join(
        f"<tr><th>{e(k)}</th><td>{e(_plain(v))}</td></tr>" for k, v in opts if v is not None
    )
    return (
        f'<table class="kv" id="inputs"><tr><th colspan=3>inputs</th></tr>{"".join(rows)}</table>'
        f'<table class="kv" id="run">{orow}</table>'
    )


def _plain(v: Any) -> str:
    if isinstance(v, bool):
        return "on" if v else "off"
    return str(v)


# ----- the reading sample ------------------------------------------------------------------------
def _highlight(text: str, spans: list[dict[str, Any]], bad: set[tuple[int, int]]) -> str:
    e = html.escape
    out, pos = [], 0
    for s in sorted(spans, key=lambda x: x["start"]):
        out.append(e(text[pos : s["start"]]))
        surface = text[s["start"] : s["end"]]
        value = s.get("value")
        title = s["label"] + (f" = {value}" if value not in (None, surface) else "")
        cls = ' class="bad"' if (s["start"], s["end"]) in bad else ""
        out.append(f'<mark{cls} title="{e(title)}">{e(surface)}<sub>{e(s["label"])}</sub></mark>')
        pos = s["end"]
    out.append(e(text[pos:]))
    return "".join(out)


def _sample(report: Report) -> str:
    sample = report.sample or {}
    per = sample.get("per_source") or {}
    if not per:
        return ""
    e = html.escape
    totals = sample.get("totals") or {}
    note = [
        f"{sample.get('n', 30)} utterances per source, drawn with seed {sample.get('seed', 0)}."
    ]
    if sample.get("tagger"):
        note.append(
            "Slot spans are highlighted; a red span or row is where the slot tagger disagrees."
        )
    else:
        note.append("Slot spans are highlighted (the slot tagger did not run: no flags).")
    parts = [f'<p class="muted">{e(" ".join(note))}</p>']
    for group, items in per.items():
        n_flag = sum(1 for it in items if it.get("flags"))
        parts.append(
            f'<h3 data-source="{e(group)}">from {e(group)} — {len(items)} shown'
            f" of {totals.get(group, len(items)):,}, {n_flag} flagged</h3>"
        )
        rows = ["<tr><th>#</th><th>intent</th><th>utterance</th><th>flags</th></tr>"]
        for i, it in enumerate(items, 1):
            flags = it.get("flags") or []
            bad = set()
            tagged = {(t["start"], t["end"], t["label"]) for t in it.get("tagger") or []}
            if it.get("tagger") is not None:
                bad = {
                    (s["start"], s["end"])
                    for s in it["spans"]
                    if (s["start"], s["end"], s["label"]) not in tagged
                }
            cls = ' class="flag"' if flags else ""
            fl = "<br>".join(e(f) for f in flags)
            rows.append(
                f"<tr{cls}><td class=num>{i}</td><td>{e(it['intent'])}</td>"
                f"<td>{_highlight(it['text'], it['spans'], bad)}</td>"
                f'<td class="flags">{fl}</td></tr>'
            )
        parts.append(f'<table class="sample" data-source="{e(group)}">{"".join(rows)}</table>')
    return "".join(parts)


# ----- details as tables -------------------------------------------------------------------------
def _cell(v: Any) -> str:
    from textsynth.metrics.numfmt import fmt

    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return fmt(v)
    if v is None:
        return '<span class="muted">–</span>'
    return html.escape(str(v))


def _scalar(v: Any) -> bool:
    return v is None or isinstance(v, str | int | float | bool)


def _value(v: Any, depth: int = 0) -> str:
    """Render a breakdown value as HTML tables (dicts, lists, confusion matrices)."""
    e = html.escape
    if _scalar(v):
        return _cell(v)
    if isinstance(v, dict) and {"rows", "columns", "matrix"} <= set(v):
        cols = v["columns"]
        head = "<tr><th></th>" + "".join(f"<th>{e(str(c))}</th>" for c in cols) + "</tr>"
        body = "".join(
            f"<tr><th>{e(str(r))}</th>"
            + "".join(f"<td class=num>{_cell(x)}</td>" for x in row)
            + "</tr>"
            for r, row in zip(v["rows"], v["matrix"], strict=False)
        )
        extra = "".join(
            f"<tr><td colspan={len(cols) + 1} class=muted>{e(k)}: {_value(x, depth + 1)}</td></tr>"
            for k, x in v.items()
            if k not in ("rows", "columns", "matrix")
        )
        return f'<table class="inner">{head}{body}{extra}</table>'
    if isinstance(v, list):
        if not v:
            return '<span class="muted">none</span>'
        if all(_scalar(x) for x in v):
            if len(v) > 12 and all(isinstance(x, int | float) for x in v):
                return e(", ".join(_cell(x) for x in v[:12])) + f" … ({len(v)} values)"
            if all(isinstance(x, str) and len(x) > 40 for x in v):
                return "<ul>" + "".join(f"<li>{_cell(x)}</li>" for x in v) + "</ul>"
            return ", ".join(_cell(x) for x in v)
        if all(isinstance(x, dict) for x in v):
            keys = list(dict.fromkeys(k for x in v for k in x))
            head = "<tr>" + "".join(f"<th>{e(k)}</th>" for k in keys) + "</tr>"
            body = "".join(
                "<tr>" + "".join(f"<td>{_value(x.get(k), depth + 1)}</td>" for k in keys) + "</tr>"
                for x in v
            )
            return f'<table class="inner">{head}{body}</table>'
        return "<ul>" + "".join(f"<li>{_value(x, depth + 1)}</li>" for x in v) + "</ul>"
    if isinstance(v, dict):
        if not v:
            return '<span class="muted">none</span>'
        inner = list(v.values())
        if all(isinstance(x, dict) and x and all(_scalar(y) for y in x.values()) for x in inner):
            keys = list(dict.fromkeys(k for x in inner for k in x))
            head = "<tr><th></th>" + "".join(f"<th>{e(k)}</th>" for k in keys) + "</tr>"
            body = "".join(
                f"<tr><th>{e(str(name))}</th>"
                + "".join(f"<td class=num>{_cell(x.get(k))}</td>" for k in keys)
                + "</tr>"
                for name, x in v.items()
            )
            return f'<table class="inner">{head}{body}</table>'
        rows = "".join(
            f"<tr><th>{e(str(k))}</th><td>{_value(x, depth + 1)}</td></tr>" for k, x in v.items()
        )
        return f'<table class="inner kv">{rows}</table>'
    return e(str(v))


def _details(report: Report) -> str:
    e = html.escape
    return "".join(
        f'<details data-metric="{e(r.name)}"><summary><b>{e(r.name)}</b> — {e(r.description)}'
        f"</summary>{_value(report.to_dict()['metrics'][r.name]['breakdown'])}</details>"
        for r in report
    )


def _notes(report: Report) -> str:
    e = html.escape
    items = []
    for r in report:
        for n in r.breakdown.get("notes") or []:
            items.append(f"<li><b>{e(r.name)}</b>: {e(n)}</li>")
        t = r.breakdown.get("tagger") if r.name == "slot-fidelity" else None
        if isinstance(t, dict) and t.get("trust"):
            items.append(
                f"<li><b>slot tagger</b> ({e(str(t.get('trained_on', t.get('kind'))))}): "
                f"{e(t['trust'])}</li>"
            )
    return f"<h2>Notes</h2><ul>{''.join(items)}</ul>" if items else ""


def render(report: Report) -> str:
    """Return the report as one HTML document."""
    e = html.escape
    skipped = "".join(f"<li><b>{e(k)}</b>: {e(v)}</li>" for k, v in report.skipped.items())
    plots = "".join(f'<div class="plot">{p}</div>' for p in _plots(report))
    sample = _sample(report)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>textsynth evaluation report</title><style>{_CSS}</style>"
        f"<script>{_JS}</script></head><body>"
        f"<h1>textsynth evaluation report</h1>{_header(report.summary)}"
        "<h2>Summary</h2>"
        '<p class="muted">Each verdict compares the value with its threshold, shown under it; '
        "where a metric has a real-data reference the threshold is relative to it.</p>"
        f"{_table(report)}"
        + (f"<h2>Skipped</h2><ul>{skipped}</ul>" if skipped else "")
        + _notes(report)
        + (f"<h2>Read a sample</h2>{sample}" if sample else "")
        + f'<h2>Plots</h2><div class="plots">{plots}</div>'
        f"<h2>Details</h2>{_details(report)}"
        "</body></html>\n"
    )
