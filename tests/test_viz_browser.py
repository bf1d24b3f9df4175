"""The pages and pictures in headless Chromium: sliders, sizes in a 1,400-pixel window.

These tests need Chromium, chromedriver and selenium (the ``browser`` capability):
without them they skip with the reason, unless ``SCALAR_AUTOGRAD_REQUIRE`` names
``browser`` (as our CI does), when they fail.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from capabilities import missing

import autograd
import nn
from autograd import Value, viz

WINDOW = (1400, 900)
MIN_TEXT_PX = 11.0  # the smallest font size, in screen pixels, we accept for numbers

# Each font family a viewer may have in place of the ones the SVG asks for.
FONTS = {
    "DejaVu": ("DejaVu Sans", "DejaVu Sans Mono"),
    "Liberation": ("Liberation Sans", "Liberation Mono"),
}


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Headless Chromium driven by chromedriver, in a 1,400 x 900 window."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not (chromium and driver_path):
        missing("browser", "chromium or chromedriver is not installed")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing("browser", "selenium is not installed (pip install selenium)")
    monkeypatch.setenv("SE_OFFLINE", "true")  # never let Selenium download anything
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    driver.set_window_size(*WINDOW)
    yield driver
    driver.quit()


def neuron() -> Value:
    """micrograd's neuron, as in the lecture."""
    from scalar_autograd.demos import backward_pass

    return backward_pass.neuron()


def shown_frames(browser: Any) -> list[int]:
    """The numbers (from 1) of the frames displayed."""
    from selenium.webdriver.common.by import By

    frames = browser.find_elements(By.CLASS_NAME, "frame")
    return [n for n, f in enumerate(frames, 1) if f.is_displayed()]


def check_slider(browser: Any, count: int, noun: str) -> None:
    """Keys on the slider, the buttons and play each show the matching frame."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    slider = browser.find_element(By.ID, "slider")
    assert shown_frames(browser) == [1]
    slider.send_keys(Keys.END)
    assert shown_frames(browser) == [count]
    assert browser.find_element(By.ID, "readout").text == f"{noun} {count} / {count}"
    slider.send_keys(Keys.HOME)
    slider.send_keys(Keys.ARROW_RIGHT)
    assert shown_frames(browser) == [2]
    browser.find_element(By.ID, "next").click()
    assert shown_frames(browser) == [3]
    browser.find_element(By.ID, "prev").click()
    assert shown_frames(browser) == [2]
    browser.find_element(By.ID, "play").click()
    WebDriverWait(browser, 60).until(lambda _: shown_frames(browser) == [count])
    assert slider.get_attribute("value") == str(count)


_NUMBER_SIZES = """
const frame = document.querySelector('.frame.current svg');
const sizes = [];
for (const t of frame.querySelectorAll('text')) {
  const words = t.textContent.trim().split(/\\s+/);
  const last = words[words.length - 1];
  if (!/^-?[0-9][0-9.e+-]*$/.test(last)) continue;
  const scale = t.getScreenCTM().a;
  sizes.push(parseFloat(getComputedStyle(t).fontSize) * scale);
}
const box = frame.getBoundingClientRect();
return [sizes, box.left, box.right, window.innerWidth,
        document.documentElement.scrollWidth];
"""


def check_readable(browser: Any) -> list[float]:
    """Every number of the frame shown is >= 11 px, and the frame fits the width."""
    sizes, left, right, inner, scroll = browser.execute_script(_NUMBER_SIZES)
    assert len(sizes) > 10
    assert min(sizes) >= MIN_TEXT_PX, min(sizes)
    assert left >= 0
    assert right <= inner
    assert scroll <= inner  # no horizontal scrolling
    return sizes


_OVERFLOWS = """
const [sans, mono] = arguments;
const style = document.createElementNS(
  document.documentElement.namespaceURI, 'style');
style.textContent = `
  text[font-family^="Helvetica"], text[font-family^="DejaVu Sans,"] {
    font-family: "${sans}" !important; }
  text[font-family^="Courier"], text[font-family^="DejaVu Sans Mono"] {
    font-family: "${mono}" !important; }`;
(document.head || document.documentElement).appendChild(style);
document.documentElement.getBoundingClientRect();
const boxes = (g) => [...g.querySelectorAll('polygon, rect, ellipse')]
  .map(e => e.getBoundingClientRect()).filter(b => b.width > 0 && b.height > 0);
const out = [];
let checked = 0;
const root = document.querySelector('.frame.current') || document;
for (const g of root.querySelectorAll('g.node, g.neuron, g.loss')) {
  const cells = boxes(g);
  for (const t of g.querySelectorAll('text')) {
    if (!t.textContent.trim()) continue;
    const b = t.getBoundingClientRect();
    const cx = b.left + b.width / 2, cy = b.top + b.height / 2;
    let best = null;
    for (const c of cells) {
      if (c.left <= cx && cx <= c.right && c.top <= cy && cy <= c.bottom &&
          (best === null || c.width * c.height < best.width * best.height)) best = c;
    }
    checked += 1;
    if (best === null || b.left < best.left - 0.5 || b.right > best.right + 0.5) {
      out.push([t.textContent, b.left, b.right, best && best.left,
                best && best.right]);
    }
  }
}
return [checked, out];
"""


def check_fits(browser: Any, fonts: tuple[str, str]) -> None:
    """With the given fonts forced, every text lies inside its cell or box."""
    checked, overflows = browser.execute_script(_OVERFLOWS, *fonts)
    assert checked > 10
    assert overflows == []


# -- sliders -----------------------------------------------------------------------


def test_html_slider_works_in_headless_chromium(browser: Any, tmp_path: Path) -> None:
    """In Chromium, keys on the slider and the buttons show the matching frame."""
    page = viz.animate_backward(neuron(), tmp_path / "pass.html", seconds_per_step=0.05)
    browser.get(page.as_uri())
    check_slider(browser, 5, "step")


def test_network_slider_works_in_headless_chromium(
    browser: Any, tmp_path: Path
) -> None:
    """The layer view's page steps through its 8 frames the same way."""
    model = nn.MLP(2, [16, 16, 1], seed=2)
    page = viz.animate_network_backward(
        model, [0.8, -0.6], lambda y: (y - 1.0) ** 2, tmp_path / "net.html",
        seconds_per_step=0.05,
    )  # fmt: skip
    browser.get(page.as_uri())
    check_slider(browser, 8, "frame")


# -- readable at 1,400 pixels --------------------------------------------------------


def test_demo_net_animation_reads_in_a_1400_pixel_window(
    browser: Any, tmp_path: Path
) -> None:
    """The two-layer net's page: numbers >= 11 px, no horizontal scrolling."""
    from scalar_autograd.demos import backward_pass

    root = backward_pass.two_layer_net()
    page = viz.animate_backward(root, tmp_path / "net.html")
    browser.get(page.as_uri())
    check_readable(browser)


def test_network_animation_reads_in_a_1400_pixel_window(
    browser: Any, tmp_path: Path
) -> None:
    """The layer view of MLP(2, [16, 16, 1]): numbers >= 11 px, fits the width."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    model = nn.MLP(2, [16, 16, 1], activation="tanh", seed=0)
    page = viz.animate_network_backward(
        model, [2.5, -2.0], lambda y: (y - 1.0) ** 2, tmp_path / "net.html"
    )
    browser.get(page.as_uri())
    browser.find_element(By.ID, "slider").send_keys(Keys.END)  # every number shown
    sizes = check_readable(browser)
    assert len(sizes) > 2 * 33  # each neuron's a and delta, and the panel's


# -- text fits its cells, whichever font ---------------------------------------------


@pytest.mark.parametrize("family", sorted(FONTS))
def test_graph_labels_fit_their_cells(
    browser: Any, tmp_path: Path, family: str
) -> None:
    """Names, numbers and op names stay inside their cells in DejaVu and Liberation."""
    o = neuron()
    o.backward()
    svg = viz.render(viz.draw_graph(o), tmp_path / "g.svg")
    browser.get(svg.as_uri())
    check_fits(browser, FONTS[family])


@pytest.mark.parametrize("family", sorted(FONTS))
def test_animation_frames_fit_their_cells(
    browser: Any, tmp_path: Path, family: str
) -> None:
    """In the net's animation page, every text of the frame shown fits its cell."""
    from scalar_autograd.demos import backward_pass

    page = viz.animate_backward(backward_pass.two_layer_net(), tmp_path / "net.html")
    browser.get(page.as_uri())
    check_fits(browser, FONTS[family])


@pytest.mark.parametrize("family", sorted(FONTS))
def test_long_and_wide_labels_fit(browser: Any, tmp_path: Path, family: str) -> None:
    """Labels of wide letters, at the length limit, still fit their cells."""
    w = Value(1.0, label="W" * 60)
    y = (w * Value(2.0, label="M@%&mw" * 3)).tanh()
    y.label = "x1*w1 + x2*w2 + b"
    svg = viz.render(viz.draw_graph(y), tmp_path / "g.svg")
    browser.get(svg.as_uri())
    check_fits(browser, FONTS[family])


@pytest.mark.parametrize("family", sorted(FONTS))
def test_network_boxes_fit(browser: Any, tmp_path: Path, family: str) -> None:
    """Every number in the layer view's boxes stays inside its box."""
    model = nn.MLP(2, [16, 16, 1], activation="sigmoid", seed=3)
    diagram = viz.draw_network(model, [1e-5, -3e4])
    svg = diagram.save(tmp_path / "n.svg")
    browser.get(svg.as_uri())
    check_fits(browser, FONTS[family])


def test_graph_numbers_are_readable_at_natural_size(
    browser: Any, tmp_path: Path
) -> None:
    """A drawn graph's numbers are at least 11 px at its natural size."""
    o = autograd.linear([1.0, 2.0], [Value(3.0), Value(4.0)], 0.5).tanh()
    o.backward()
    svg = viz.render(viz.draw_graph(o), tmp_path / "g.svg")
    browser.get(svg.as_uri())
    sizes = browser.execute_script(
        "return [...document.querySelectorAll('text')].filter(t => "
        "/data|grad/.test(t.textContent)).map(t => "
        "parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a);"
    )
    assert len(sizes) == 2 * 7
    assert min(sizes) >= MIN_TEXT_PX
