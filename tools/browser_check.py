"""Load an HTML file in headless Chromium and report console errors, chart sizes and a screenshot.

Talks the Chrome DevTools Protocol over ``--remote-debugging-pipe`` (file descriptors 3 and
4), so it needs Chromium and nothing else: no WebDriver, no Node, no extra Python package.

    python tools/browser_check.py report.html --screenshot report.png

prints one JSON object: ``{"errors": [...], "charts": [{"name", "width", "height"}, ...],
"screenshot": path, "page": {"width", "height"}}`` and exits 1 when the page logged an error,
has no chart, or a chart has no size.  ``tests/test_report_browser.py`` runs it in CI.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

_CHARTS = """JSON.stringify(Array.from(document.querySelectorAll('svg.chart')).map(e => {
  const r = e.getBoundingClientRect();
  return {name: e.dataset.chart || '', width: r.width, height: r.height};
}))"""


def find_chromium() -> str | None:
    """The path of a Chromium (or Chrome) executable on PATH, or ``None``."""
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


class _Pipe:
    """One CDP connection over the two pipes; messages are JSON ended by a NUL byte."""

    def __init__(self, write_fd: int, read_fd: int) -> None:
        self.write_fd, self.read_fd = write_fd, read_fd
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        os.write(self.write_fd, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    msg = f"{method}: {reply['error']}"
                    raise RuntimeError(msg)
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method for e in self.events):
            if time.monotonic() > deadline:
                msg = f"timed out waiting for {method}"
                raise TimeoutError(msg)
            self.events.append(self._read())

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            chunk = os.read(self.read_fd, 1 << 20)
            if not chunk:
                msg = "the browser closed the pipe"
                raise RuntimeError(msg)
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        parsed: dict[str, Any] = json.loads(message)
        return parsed


def check(html: Path, screenshot: Path, *, chromium: str, width: int = 1100) -> dict[str, Any]:
    """Load ``html``; return console errors, chart sizes and where the screenshot went."""
    to_browser_r, to_browser_w = os.pipe()
    from_browser_r, from_browser_w = os.pipe()
    with tempfile.TemporaryDirectory() as profile:
        args = [
            chromium, "--headless=new", "--remote-debugging-pipe", "--no-sandbox",
            "--disable-gpu", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--hide-scrollbars", f"--user-data-dir={profile}",
            "about:blank",
        ]  # fmt: skip

        def child() -> None:  # the browser reads commands on fd 3 and answers on fd 4
            read, write = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(read, 3)
            os.dup2(write, 4)

        browser = subprocess.Popen(
            args,
            close_fds=False,  # fds 3 and 4, made in child(), must survive; others are CLOEXEC
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=child,  # noqa: PLW1509 - no threads here; dup2 before exec
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        pipe = _Pipe(to_browser_w, from_browser_r)
        try:
            target = pipe.send("Target.createTarget", url="about:blank")["targetId"]
            session = pipe.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            for domain in ("Page", "Runtime", "Log"):
                pipe.send(f"{domain}.enable", session)
            pipe.send("Emulation.setDeviceMetricsOverride", session, width=width, height=900,
                      deviceScaleFactor=1, mobile=False)  # fmt: skip
            pipe.send("Page.navigate", session, url=html.resolve().as_uri())
            pipe.wait_for("Page.loadEventFired")
            charts = json.loads(
                pipe.send("Runtime.evaluate", session, expression=_CHARTS, returnByValue=True)[
                    "result"
                ]["value"]
            )
            size = pipe.send("Page.getLayoutMetrics", session)["cssContentSize"]
            page = {"width": size["width"], "height": size["height"]}
            pipe.send("Emulation.setDeviceMetricsOverride", session, width=width,
                      height=math.ceil(size["height"]), deviceScaleFactor=1,
                      mobile=False)  # fmt: skip
            shot = pipe.send("Page.captureScreenshot", session, format="png",
                             captureBeyondViewport=True)  # fmt: skip
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            screenshot.write_bytes(base64.b64decode(shot["data"]))
            errors = _errors(pipe.events)
            with contextlib.suppress(RuntimeError):
                pipe.send("Browser.close")
        finally:
            os.close(to_browser_w)
            os.close(from_browser_r)
            try:
                browser.wait(timeout=20)
            except subprocess.TimeoutExpired:
                browser.kill()
                browser.wait()
    return {"errors": errors, "charts": charts, "screenshot": str(screenshot), "page": page}


def _errors(events: list[dict[str, Any]]) -> list[str]:
    """Console errors, uncaught exceptions and error log entries among the events."""
    found = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            found.append(
                " ".join(str(a.get("value", a.get("description"))) for a in params["args"])
            )
        elif method == "Runtime.exceptionThrown":
            found.append(params["exceptionDetails"].get("text", "exception"))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            found.append(params["entry"].get("text", "error"))
    return found


def main(argv: list[str] | None = None) -> int:
    """Check one HTML file; print the JSON result; exit 1 on a problem, 2 without Chromium."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path)
    parser.add_argument("--screenshot", type=Path, default=Path("build/report.png"))
    parser.add_argument("--chromium", default=None)
    options = parser.parse_args(argv)
    chromium = options.chromium or find_chromium()
    if chromium is None:
        print("no chromium on PATH", file=sys.stderr)
        return 2
    result = check(options.html, options.screenshot, chromium=chromium)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    bad = result["errors"] or not result["charts"]
    bad = bad or any(c["width"] <= 0 or c["height"] <= 0 for c in result["charts"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
