"""The HTML report in headless Chromium: no console errors, the diagram visible, a screenshot.

With ``KG_THREAT_UPDATE_GOLDEN=1`` the screenshot of the example becomes
``docs/report-example.png``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kg_threat import pipeline
from kg_threat.report import write_report

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed"),
]

# Appended to a copy of the page: records what the browser laid out, for --dump-dom.
PROBE = """<script>
(function () {
  var svg = document.querySelector("#diagram svg");
  var box = svg ? svg.getBoundingClientRect() : {width: 0, height: 0};
  var style = svg ? getComputedStyle(svg) : {};
  document.documentElement.setAttribute("data-probe",
    [Math.round(box.width), Math.round(box.height), style.visibility, style.display,
     document.querySelectorAll("#diagram svg g.node").length,
     document.getElementById("risk-filter").hidden].join(" "));
})();
</script>
"""


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", "--hide-scrollbars", f"--user-data-dir={profile}",
         "--enable-logging=stderr", "--v=0", *args],
        capture_output=True, text=True, timeout=300, check=False,
    )


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser") / "fraud-scoring.html"
    write_report(pipeline.run([str(ROOT / "examples" / "fraud-scoring.ttl")]), out)
    return out


def test_the_page_fetches_nothing(page: Path) -> None:
    html = page.read_text(encoding="utf-8")
    assert not re.search(r"<(link|img|iframe|object|embed)\b", html)
    assert not re.search(r"<script\b[^>]*\bsrc=", html)
    assert "url(" not in html
    assert "@import" not in html


def test_the_diagram_is_visible_and_the_console_is_clean(page: Path, tmp_path: Path) -> None:
    probe = tmp_path / "probe.html"
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                     encoding="utf-8")
    proc = chromium(tmp_path, "--window-size=1280,1000", "--dump-dom", probe.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert console_messages(proc.stderr) == []
    found = re.search(r'data-probe="([^"]*)"', proc.stdout)
    assert found, proc.stdout[:500]
    width, height, visibility, display, nodes, filter_hidden = found.group(1).split()
    assert int(width) > 300 and int(height) > 50
    assert display != "none"
    assert (visibility, nodes, filter_hidden) == ("visible", "7", "false")


def test_screenshot_of_the_example(page: Path, tmp_path: Path) -> None:
    shot = tmp_path / "report.png"
    proc = chromium(tmp_path, "--window-size=1280,2000", f"--screenshot={shot}", page.as_uri())
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert console_messages(proc.stderr) == []
    data = shot.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert int.from_bytes(data[16:20], "big") == 1280  # IHDR width
    assert len(data) > 50_000  # a blank page compresses to a few kilobytes
    if os.environ.get("KG_THREAT_UPDATE_GOLDEN") == "1":
        shutil.copyfile(shot, ROOT / "docs" / "report-example.png")
