"""Open an HTML report in headless Chromium: check it loads without script errors, screenshot it.

Used by the tests and the benchmark; needs a ``chromium`` (or ``chromium-browser``,
``google-chrome``) binary on the PATH.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["BrowserCheck", "check_in_chromium", "find_chromium"]

_BINARIES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    "--enable-logging=stderr",
    "--v=0",
)
# console messages Chromium logs for page errors (the page also records them in the DOM)
_JS_ERROR = re.compile(
    r"Uncaught|SyntaxError|ReferenceError|TypeError|CONSOLE\(\d+\)\].*error", re.IGNORECASE
)


@dataclass
class BrowserCheck:
    """What loading a page in headless Chromium showed."""

    ready: bool
    title: str
    js_errors: list[str] = field(default_factory=list)
    screenshot: Path | None = None

    @property
    def ok(self) -> bool:
        """Return whether the page finished loading its script without an error."""
        return self.ready and not self.js_errors


def find_chromium() -> str | None:
    """Return the path of a Chromium-like browser, or ``None``."""
    for name in _BINARIES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(binary: str, args: list[str], timeout: float) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="textsynth-chromium-") as profile:
        cmd = [binary, *_FLAGS, f"--user-data-dir={profile}", *args]
        env = {**os.environ, "HOME": profile}
        return subprocess.run(
            cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False
        )


def check_in_chromium(
    html_path: str | os.PathLike[str],
    screenshot: str | os.PathLike[str] | None = None,
    *,
    window: tuple[int, int] = (1280, 2400),
    timeout: float = 120.0,
) -> BrowserCheck:
    """Load ``html_path`` headless, collect script errors, and optionally take a screenshot.

    Args:
        html_path: the page.
        screenshot: where to write a PNG screenshot (``None``: no screenshot).
        window: browser window size in pixels.
        timeout: seconds per Chromium run.

    Raises:
        FileNotFoundError: no Chromium binary.
    """
    binary = find_chromium()
    if binary is None:
        raise FileNotFoundError("no chromium binary on the PATH (apt-get install chromium)")
    url = Path(html_path).resolve().as_uri()
    dom = _run(binary, ["--virtual-time-budget=3000", "--dump-dom", url], timeout)
    html = dom.stdout
    errors = [ln.strip() for ln in dom.stderr.splitlines() if _JS_ERROR.search(ln)]
    m = re.search(r'data-js-error="([^"]*)"', html)
    if m:
        errors.append(m.group(1))
    title_m = re.search(r"<title>(.*?)</title>", html, re.S)
    title = title_m.group(1).strip() if title_m else ""
    if title.startswith("JSERROR"):
        errors.append(title)
    ready = 'data-ready="1"' in html
    shot: Path | None = None
    if screenshot is not None:
        shot = Path(screenshot).resolve()
        shot.parent.mkdir(parents=True, exist_ok=True)
        res = _run(
            binary,
            [
                f"--screenshot={shot}",
                f"--window-size={window[0]},{window[1]}",
                "--virtual-time-budget=3000",
                url,
            ],
            timeout,
        )
        errors += [ln.strip() for ln in res.stderr.splitlines() if _JS_ERROR.search(ln)]
        if not shot.exists():
            shot = None
    return BrowserCheck(ready=ready, title=title, js_errors=errors, screenshot=shot)
