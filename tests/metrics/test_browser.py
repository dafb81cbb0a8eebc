"""The HTML report opens in headless Chromium without script errors; take a screenshot."""

from __future__ import annotations

import pytest

from textsynth.metrics import evaluate
from textsynth.metrics.browser import check_in_chromium, find_chromium

pytestmark = pytest.mark.skipif(
    find_chromium() is None, reason="chromium is not installed (apt-get install chromium)"
)


def test_report_opens_without_errors_and_screenshots(toy_sets, fake_embedder, tmp_path):
    rep = evaluate(
        toy_sets["holdout"],
        toy_sets["seeds"],
        holdout=toy_sets["holdout"],
        test=toy_sets["holdout"],
        embedder=fake_embedder,
    )
    paths = rep.save(tmp_path)
    check = check_in_chromium(paths["html"], tmp_path / "report.png", window=(1000, 1400))
    assert check.ok, check.js_errors
    assert check.title == "textsynth evaluation report"
    assert check.screenshot is not None and check.screenshot.stat().st_size > 10_000
    assert check.screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_script_error_is_detected(tmp_path):
    page = tmp_path / "broken.html"
    html = evaluate.__module__  # any page using the report's error hook
    from textsynth.metrics.html import _JS

    page.write_text(
        f"<html><head><title>t</title><script>{_JS}</script></head>"
        "<body><script>undefinedFunction();</script></body></html>"
    )
    check = check_in_chromium(page)
    assert not check.ok and html
    assert any("undefinedFunction" in e for e in check.js_errors)
