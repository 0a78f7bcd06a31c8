"""Browser fixtures (Debian's Chromium driven by Playwright), registered once in tests/conftest.py."""

import io
import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed for the browser tests (make test installs it)")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900},
                                  locale="en-CA")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def login(context, user, live_server) -> None:
    """Sign a browser context in as `user` (the login form is tested on its own)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value,
                          "url": live_server.url}])


def open_with_history(browser, live_server, folder, viewport=None):
    """A browser that keeps its history in `folder`, so that the links it followed are drawn
    as visited (a context of `open_page` keeps none: every link in it is drawn unvisited)."""
    context = browser.browser_type.launch_persistent_context(
        str(folder), executable_path=CHROMIUM, headless=True, base_url=live_server.url, locale="en-CA",
        viewport=viewport or {"width": 1280, "height": 900}, args=["--no-sandbox", "--disable-gpu"])
    page = context.pages[0] if context.pages else context.new_page()
    page.set_default_timeout(15_000)
    return context, page


AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


def open_page(browser, live_server, viewport, *, touch=False):
    # bypass_csp lets the test inject axe-core and run its checks; the page's own CSP stays on.
    context = browser.new_context(base_url=live_server.url, viewport=viewport, has_touch=touch,
                                  is_mobile=touch, locale="en-CA", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def axe_violations(page, selector):
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("s => axe.run(s, {resultTypes: ['violations']})", selector)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]
            if v["impact"] in ("serious", "critical")]


def type_card(page, card):
    """Into the payment provider's own field (localstripe's stand-in for Stripe.js)."""
    field = page.frame_locator("iframe[data-card-frame]").locator("[data-card-field]")
    for placeholder, value in (("number", card.replace(" ", "")), ("exp_month", "12"), ("exp_year", "31"),
                               ("cvc", "123"), ("postal_code", "H2X1Y4")):
        field.locator(f'input[placeholder="{placeholder}"]').fill(value)


def link_look(page, locator) -> tuple[str, float]:
    """A link's colour, and WCAG's contrast ratio between it and the first opaque
    background it sits on."""
    return locator.evaluate("""a => {
        const rgb = c => c.match(/\\d+(\\.\\d+)?/g).map(Number);
        let el = a, back = null;
        while (el && !back) {
            const c = rgb(getComputedStyle(el).backgroundColor);
            if (c.length < 4 || c[3] > 0) back = c;
            el = el.parentElement;
        }
        back = back || [255, 255, 255];
        const lum = c => {
            const [r, g, b] = c.slice(0, 3).map(v => {
                v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const colour = getComputedStyle(a).color;
        const [x, y] = [lum(rgb(colour)), lum(back)].sort((p, q) => q - p);
        return [colour, (x + 0.05) / (y + 0.05)];
    }""")


def drawn_colour(locator) -> str:
    """The colour a link is drawn in on the screen, as "rgb(r, g, b)": the commonest of its
    pixels but its background's. A page's script is told a visited link's colour as if it
    were not visited (browsers keep a reader's history from pages), its pixels are not."""
    from PIL import Image

    pixels = Image.open(io.BytesIO(locator.screenshot())).convert("RGB").getcolors(1 << 24)
    return "rgb({}, {}, {})".format(*sorted(pixels, reverse=True)[1][1])
