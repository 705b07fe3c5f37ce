"""The HTML briefing as a reader sees it: real briefings of the demo corpus in Debian's headless Chromium.

Needs `chromium` and `chromium-driver` (apt; `make test` installs them when run as root). Without them
these tests skip, except in CI, where they fail.
"""

import os
import shutil
import sys

import pytest
from conftest import DEMO, ROOT
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from pipeline.run import run

sys.path.insert(0, str(ROOT / "scripts"))
from screenshots import chromium as headless_chromium  # noqa: E402 — the one browser set-up

pytestmark = pytest.mark.browser

DESKTOP = (1280, 900, False)  # viewport width, height, mobile
PHONE = (390, 844, True)
DEMO_NAMES = sorted(p.stem for p in (DEMO / "de").glob("*.md"))
LONG_URL = "https://www.stadt.example/haushalt/2024/beschluss-des-stadtrates-vom-montag-mit-allen-anlagen.pdf"
HOSTILE = ("<script>window.pwned=1</script>", '<img src=x onerror="window.pwned=2">')
TRANSPARENT = "rgba(0, 0, 0, 0)"


@pytest.fixture(scope="module")
def briefings(tmp_path_factory, config, translator):
    """The demo corpus, plus a document whose text is markup and a URL wider than a phone, rendered by
    the whole pipeline."""
    inputs = tmp_path_factory.mktemp("inputs")
    (inputs / "awkward.txt").write_text(
        f"Der Stadtrat hat am Montag den Haushalt beschlossen {HOSTILE[0]}. "
        f"Die Opposition stimmte {HOSTILE[1]} gegen den Plan.\n\nDer Plan steht unter {LONG_URL} im Netz.\n",
        encoding="utf-8",
    )
    out = tmp_path_factory.mktemp("briefings")
    report = run([DEMO / "de", inputs], out, config, translator=translator)
    assert {r.status for r in report.results} == {"ok"}
    return out


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    chromium, chromedriver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and chromedriver):
        why = "chromium/chromedriver not found; install: apt-get install chromium chromium-driver"
        if os.environ.get("CI", "").lower() in ("true", "1"):
            pytest.fail(why)
        pytest.skip(why)
    browser = headless_chromium(
        tmp_path_factory.mktemp("chromium-profile"),
        chromium,
        chromedriver,
        capabilities={"goog:loggingPrefs": {"browser": "ALL"}},
    )
    yield browser
    browser.quit()


def load(driver, page, size):
    width, height, mobile = size
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
    )
    driver.get(page.as_uri())


def rows(driver) -> list[dict]:
    """Each row of the page: its class and the boxes of its two cells and of their first element."""
    return driver.execute_script(
        """
        const box = (el) => { const r = el.getBoundingClientRect();
                              return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; };
        return [...document.querySelectorAll("main .row")].map((row) => {
          const [src, tgt] = [row.querySelector(".src"), row.querySelector(".tgt")];
          return {cls: row.className, src: box(src), tgt: box(tgt),
                  src_first: box(src.firstElementChild), tgt_first: box(tgt.firstElementChild),
                  headings: [...row.querySelectorAll("h2")].map(box)};
        });
        """
    )


def save_png(driver, path):
    path.write_bytes(driver.get_screenshot_as_png())
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 1000


def background(element) -> str:
    return element.value_of_css_property("background-color")


def hover(driver, element):
    ActionChains(driver).move_to_element(element).perform()


def tab_to_sentence(driver):
    """Presses Tab until a sentence has the keyboard focus; returns it."""
    hover(driver, driver.find_element(By.TAG_NAME, "h1"))  # the mouse highlights nothing
    driver.find_element(By.TAG_NAME, "h1").click()
    for _ in range(30):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        focused = driver.switch_to.active_element
        if "s" in (focused.get_attribute("class") or "").split():
            return focused
    pytest.fail("Tab never reached a sentence")


def pair(driver, sentence):
    return driver.find_element(By.ID, sentence.get_attribute("data-pair"))


@pytest.mark.parametrize("name", [*DEMO_NAMES, "awkward"])
def test_desktop_columns_line_up_paragraph_by_paragraph(driver, briefings, name, tmp_path):
    load(driver, briefings / f"{name}.html", DESKTOP)
    found = rows(driver)
    if name != "awkward":
        assert len(found) >= 5 and any("kind-heading" in r["cls"] for r in found)
    for r in found:
        src, tgt = r["src"], r["tgt"]
        assert abs(src["top"] - tgt["top"]) <= 2, r
        assert abs(r["src_first"]["top"] - r["tgt_first"]["top"]) <= 2, r
        assert src["right"] <= tgt["left"], f"German left of English, no overlap: {r}"
        if "kind-heading" in r["cls"]:
            assert len(r["headings"]) == 2 and abs(r["headings"][0]["top"] - r["headings"][1]["top"]) <= 2
    save_png(driver, tmp_path / f"{name}-desktop.png")


@pytest.mark.parametrize("name", [*DEMO_NAMES, "awkward"])
def test_phone_stacks_each_german_paragraph_above_its_english_one(driver, briefings, name, tmp_path):
    load(driver, briefings / f"{name}.html", PHONE)
    for r in rows(driver):
        assert r["tgt"]["top"] >= r["src"]["bottom"] - 0.5, r
    width, scroll_width = driver.execute_script(
        "return [window.innerWidth, document.scrollingElement.scrollWidth]"
    )
    assert width == PHONE[0] and scroll_width <= width, "nothing overflows horizontally"
    save_png(driver, tmp_path / f"{name}-phone.png")


def test_hovering_or_focusing_a_sentence_highlights_its_counterpart(driver, briefings):
    load(driver, briefings / "stadtrat.html", DESKTOP)
    de = driver.find_element(By.CSS_SELECTOR, ".kind-body .src .s[data-pair]")
    en = pair(driver, de)
    bystander = driver.find_element(By.CSS_SELECTOR, ".kind-caption .tgt .s")
    idle = background(bystander)
    for hovered, counterpart in ((de, en), (en, de)):
        hover(driver, hovered)
        assert "hl" in counterpart.get_attribute("class").split()
        assert background(counterpart) != idle and background(hovered) != idle
        assert background(bystander) == idle
        hover(driver, driver.find_element(By.TAG_NAME, "h1"))
        assert background(counterpart) == idle

    first = tab_to_sentence(driver)
    assert background(pair(driver, first)) != idle and background(first) != idle
    assert first.value_of_css_property("outline-style") != "none", "keyboard focus is visible"
    ActionChains(driver).send_keys(Keys.TAB, Keys.TAB).perform()  # past the counterpart, to the next row
    second = driver.switch_to.active_element
    assert second.get_attribute("id") not in (first.get_attribute("id"), first.get_attribute("data-pair"))
    assert background(pair(driver, second)) != idle
    assert background(pair(driver, first)) == idle, "leaving a sentence removes its highlight"


def test_page_loads_nothing_external_and_logs_no_errors(driver, briefings):
    driver.get_log("browser")  # drop what earlier tests logged
    load(driver, briefings / "stadtrat.html", DESKTOP)
    hover(driver, driver.find_element(By.CSS_SELECTOR, ".s[data-pair]"))
    resources = driver.execute_script("return performance.getEntriesByType('resource').map((e) => e.name)")
    assert all(url.startswith(("file:", "data:")) for url in resources), resources
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors


def test_print_drops_highlights_and_outlines_and_prints_black(driver, briefings):
    load(driver, briefings / "stadtrat.html", DESKTOP)
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert driver.execute_script("return matchMedia('print').matches")
        de = driver.find_element(By.CSS_SELECTOR, ".kind-body .src .s[data-pair]")
        hover(driver, de)
        assert "hl" in pair(driver, de).get_attribute("class").split()
        assert background(pair(driver, de)) == TRANSPARENT
        assert tab_to_sentence(driver).value_of_css_property("outline-style") == "none"
        # Every element that holds text is black, and nothing has a coloured background.
        colours = driver.execute_script(
            """
            const els = [...document.body.querySelectorAll("*:not(script)")];
            const holds_text = (el) => [...el.childNodes].some((n) => n.nodeType === 3 && n.data.trim());
            return {
              text: [...new Set(els.filter(holds_text).map((el) => getComputedStyle(el).color))],
              background: [...new Set(els.map((el) => getComputedStyle(el).backgroundColor))],
            };
            """
        )
        assert colours["text"] == ["rgb(0, 0, 0)"]
        assert set(colours["background"]) <= {TRANSPARENT, "rgb(255, 255, 255)"}
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


def test_markup_in_a_document_is_shown_as_text(driver, briefings):
    load(driver, briefings / "awkward.html", DESKTOP)
    assert driver.execute_script("return window.pwned") is None
    assert not driver.find_elements(By.TAG_NAME, "img")
    assert len(driver.find_elements(By.TAG_NAME, "script")) == 1
    german = driver.find_element(By.CSS_SELECTOR, "main .src").text
    assert all(markup in german for markup in HOSTILE)
