"""Regenerate briefings-demo/screenshots/: the briefing of the demo document with a caption, headings
and summaries (corpora/demo/de/stadtrat.md, translated by the fixture model), as headless Chromium shows
it at desktop and at phone width, full page; the same document with one emoji added, which makes
the fixture model write "202" for 2024: a briefing with a review flag, its reason open (keyboard focus);
and the index as a morning digest of the demo corpus with that flagged document, arrived on two days.

    .venv/bin/python scripts/screenshots.py      # or: make screenshots
    .venv/bin/python scripts/screenshots.py --scan   # only briefing-scan-desktop.png (needs Tesseract)

With --scan, the demo document is first printed as a scan would give it (a 200 dpi grey JPEG, two
columns, tests/scan_builders.py) and the briefing is made from that image, read by OCR.

Needs Debian's chromium and chromium-driver. Everything runs in a temp dir: the fixture model is
installed into a throw-away ARGOS_PACKAGES_DIR, and nothing is downloaded.
"""

import base64
import datetime
import itertools
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = Path("corpora", "demo", "de", "stadtrat.md")  # relative: the page shows this path
FIXTURE_MODEL = ROOT / "tests" / "fixtures" / "translate-de_en-demo.argosmodel"
OUT = ROOT / "briefings-demo" / "screenshots"
# name: (viewport width, height, mobile)
SIZES = {"desktop": (1280, 900, False), "phone": (390, 844, True)}
# The fixture model knows only the demo sentences: with 130 for 100 it still writes 100 (a number flag).
FLAGGED_DOCUMENT = Path("corpora", "demo", "de", "wetter.md")
FLAGGED_SENTENCE = ("bis zu 100 Kilometer", "bis zu 130 Kilometer")
# The digest (index.html) of the demo corpus, the flagged document among it, arrived on two mornings.
ARRIVALS = {
    "stadtrat.md": (2024, 3, 4, 6, 30),
    "forschung.md": (2024, 3, 4, 6, 45),
    "wetter.md": (2024, 3, 5, 6, 0),
}


def chromium(
    profile: Path,
    binary: str = "/usr/bin/chromium",
    driver: str = "/usr/bin/chromedriver",
    capabilities: dict | None = None,
) -> webdriver.Chrome:
    """Debian's headless chromium through its own chromedriver (Selenium Manager never runs).

    Also used by tests/test_browser.py, so the screenshots and the tests see the same browser.
    """
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    for name, value in (capabilities or {}).items():
        options.set_capability(name, value)
    return webdriver.Chrome(service=Service(driver), options=options)


def set_viewport(driver: webdriver.Chrome, width: int, height: int, mobile: bool) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )


def full_page_png(driver: webdriver.Chrome) -> bytes:
    width, height = driver.execute_script(
        "const e = document.scrollingElement; return [e.scrollWidth, e.scrollHeight];"
    )
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot",
        {
            "format": "png",
            "captureBeyondViewport": True,
            "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        },
    )
    return base64.b64decode(shot["data"])


def save(driver: webdriver.Chrome, path: Path) -> None:
    path.write_bytes(full_page_png(driver))
    print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KiB")


def scan_page(home: Path) -> Path:
    """The demo document as a scanned page: its heading, then its paragraphs in two columns."""
    sys.path.insert(0, str(ROOT / "tests"))
    import scan_builders

    blocks = [b.strip() for b in (ROOT / DOCUMENT).read_text("utf-8").split("\n\n") if b.strip()]
    heading, paragraphs = blocks[0].lstrip("# "), [b for b in blocks[1:] if len(b) > 40]
    scan = home / "scan" / f"{DOCUMENT.stem}-scan.jpg"
    scan.parent.mkdir(parents=True)
    scan_builders.page(200, heading, paragraphs).save(scan, quality=75, dpi=(200, 200))
    return scan


@contextmanager
def fixture_home() -> Iterator[tuple[Path, dict[str, str], str]]:
    """A throw-away home (packages, XDG folders) with the fixture model installed: (home, the
    environment to run the pipeline in, the pipeline command)."""
    with tempfile.TemporaryDirectory(prefix="screenshots-") as tmp:
        home = Path(tmp)
        env = os.environ | {
            "ARGOS_PACKAGES_DIR": str(home / "packages"),
            **{f"XDG_{d.upper()}_HOME": str(home / d) for d in ("data", "config", "cache")},
        }
        pipeline = str(Path(sys.executable).parent / "pipeline")
        subprocess.run([pipeline, "models", "install", "--file", FIXTURE_MODEL], env=env, check=True)
        yield home, env, pipeline


def main() -> None:
    if "--scan" in sys.argv:
        return scanned_briefing()
    with fixture_home() as (home, env, pipeline):
        subprocess.run(
            [pipeline, "run", DOCUMENT, "--out", home / "out", "--quiet"], cwd=ROOT, env=env, check=True
        )
        flagged = home / FLAGGED_DOCUMENT  # the same relative path on the page
        flagged.parent.mkdir(parents=True)
        flagged.write_text((ROOT / FLAGGED_DOCUMENT).read_text("utf-8").replace(*FLAGGED_SENTENCE), "utf-8")
        subprocess.run(
            [pipeline, "run", FLAGGED_DOCUMENT, "--out", home / "flagged", "--quiet"],
            cwd=home,
            env=env,
            check=True,
        )
        for name, when in ARRIVALS.items():  # wetter.md is the flagged one already there
            inbox = home / DOCUMENT.parent / name
            if not inbox.exists():
                inbox.write_bytes((ROOT / DOCUMENT.parent / name).read_bytes())
            stamp = datetime.datetime(*when).timestamp()
            os.utime(inbox, (stamp, stamp))
        subprocess.run(
            [pipeline, "run", DOCUMENT.parent, "--out", home / "digest", "--quiet"],
            cwd=home,
            env=env,
            check=True,
        )
        OUT.mkdir(parents=True, exist_ok=True)
        driver = chromium(home / "profile")
        try:
            pages = (("briefing", "out", DOCUMENT), ("briefing-flagged", "flagged", FLAGGED_DOCUMENT))
            for (prefix, out, document), (name, size) in itertools.product(pages, SIZES.items()):
                set_viewport(driver, *size)
                driver.get((home / out / f"{document.stem}.html").as_uri())
                driver.execute_script("const flag = document.querySelector('.flag'); if (flag) flag.focus();")
                save(driver, OUT / f"{prefix}-{name}.png")
            set_viewport(driver, *SIZES["desktop"])
            driver.get((home / "digest" / "index.html").as_uri())
            save(driver, OUT / "digest-desktop.png")
        finally:
            driver.quit()


def scanned_briefing() -> None:
    with fixture_home() as (home, env, pipeline):
        scan = scan_page(home)
        subprocess.run(
            [pipeline, "run", scan.parent, "--out", home / "out", "--quiet"], cwd=home, env=env, check=True
        )
        OUT.mkdir(parents=True, exist_ok=True)
        driver = chromium(home / "profile")
        try:
            set_viewport(driver, *SIZES["desktop"])
            driver.get((home / "out" / f"{scan.stem}.html").as_uri())
            save(driver, OUT / "briefing-scan-desktop.png")
            (OUT / "briefing-scan-page.jpg").write_bytes(scan.read_bytes())
        finally:
            driver.quit()


if __name__ == "__main__":
    main()
