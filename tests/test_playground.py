"""The optimizer playground (``tinygrad-edu playground``): its data are this library's runs,
the page is self-contained and small, and in a real headless browser it loads without
errors, answers its sliders, and draws.

The browser part needs Debian's ``chromium`` and ``chromium-driver`` (``.ci/run`` installs
them) and selenium (the ``dev`` extra); without a browser it is skipped, saying so. Running
this file as a script refreshes the README's screenshot, ``demos/images/playground.png``.
"""
import base64
import json
import os
import re
import shutil
import sys

import numpy as np
import pytest

from tinygrad_edu.__main__ import main
from tinygrad_edu.landscapes import LANDSCAPES, run_optimizer
from tinygrad_edu.viz import playground as pg

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MAX_BYTES = 3_000_000  # "a few MB": the page must open quickly from disk

# A tiny grid (two landscapes, 1-2 stops per slider, a few steps) for the fast checks.
QUICK = {"saddle": (40, {"SGD": [0.01, 0.1], "Momentum": [0.01], "Nesterov": [0.02],
                         "AdaGrad": [0.1], "RMSprop": [0.01], "Adam": [0.05, 0.5]}),
         "rosenbrock": (12, {"SGD": [0.001, 0.01], "Momentum": [0.001], "Nesterov": [0.001],
                             "AdaGrad": [0.5], "RMSprop": [0.01], "Adam": [0.1]})}


def page_data(html):
    """The JSON the generator embedded in the page."""
    match = re.search(r"const DATA = (.*?);\n", html)
    assert match, "the page has no DATA line"
    return json.loads(match.group(1).replace("<\\/", "</"))


def stored_run(entry, optimizer, settings):
    """(path, loss) of one run as stored in the page, decoded as the page's script does."""
    runs, n = entry["runs"][optimizer], entry["steps"] + 1
    index = 0
    for name, values in runs["axes"]:
        index = index * len(values) + values.index(settings[name])
    xy = np.frombuffer(base64.b64decode(runs["xy"]), dtype="<i2")
    xy = xy[2 * n * index: 2 * n * (index + 1)]
    loss = np.frombuffer(base64.b64decode(runs["loss"]), dtype="<f4")[n * index: n * (index + 1)]
    return pg.decode_path(xy, entry["window"]), loss


def assert_same_run(entry, optimizer, settings):
    """The stored run equals a fresh run_optimizer with the same optimizer and settings."""
    landscape = LANDSCAPES[entry["name"]]
    path, loss = stored_run(entry, optimizer, settings)
    fresh = run_optimizer(landscape, lambda p: pg.make_optimizer(optimizer, p, **settings),
                          steps=entry["steps"])
    x0, x1, y0, y1 = entry["window"]
    inside = ((fresh[:, 0] >= x0) & (fresh[:, 0] <= x1) & (fresh[:, 1] >= y0)
              & (fresh[:, 1] <= y1))
    resolution = np.array([x1 - x0, y1 - y0]) / 65534
    assert np.all(np.isnan(path[~inside])), (optimizer, settings)
    assert np.all(np.abs(path[inside] - fresh[inside]) <= resolution / 2 + 1e-12), \
        (optimizer, settings)
    with np.errstate(over="ignore", invalid="ignore"):
        expected = landscape(fresh[:, 0], fresh[:, 1]).astype(np.float32)
    np.testing.assert_array_equal(loss, expected)


# --- the generator, on a tiny grid ----------------------------------------------------------

@pytest.fixture(scope="module")
def quick_data():
    return pg.playground_data(grids=QUICK)


def test_every_stored_run_is_run_optimizers_path(quick_data):
    checked = 0
    for entry in quick_data["landscapes"]:
        for optimizer, runs in entry["runs"].items():
            names = [name for name, _ in runs["axes"]]
            grids = [values for _, values in runs["axes"]]
            for values in np.array(np.meshgrid(*grids, indexing="ij")).reshape(len(grids), -1).T:
                assert_same_run(entry, optimizer, dict(zip(names, values.tolist())))
                checked += 1
    assert checked == (2 + 6 + 5 + 1 + 3 + 2 * 12) + (2 + 6 + 5 + 1 + 3 + 12)  # all of QUICK


def test_a_run_that_leaves_or_diverges_is_stored_as_gaps_and_nan(quick_data):
    saddle = quick_data["landscapes"][0]
    path, loss = stored_run(saddle, "Adam", {"lr": 0.5, "beta1": 0.9, "beta2": 0.999})
    assert np.isfinite(path[0]).all() and np.isnan(path[-1]).all()  # walked off the map
    assert np.isfinite(loss).all()                                   # but never diverged
    rosenbrock = quick_data["landscapes"][1]
    path, loss = stored_run(rosenbrock, "SGD", {"lr": 0.01})          # 10× too large: overflow
    assert np.isnan(loss[-1]) and np.isnan(path[-1]).all()


def test_the_page_names_are_the_library_optimizers():
    from tinygrad_edu import Value, optim

    def group(name, **settings):
        opt = pg.make_optimizer(name, [Value(1.0)], lr=0.1, **settings)
        return type(opt), opt.param_groups[0]

    assert group("SGD")[0] is optim.SGD and group("SGD")[1]["momentum"] == 0
    kind, settings = group("Momentum", momentum=0.8)
    assert kind is optim.SGD and settings["momentum"] == 0.8 and not settings["nesterov"]
    kind, settings = group("Nesterov", momentum=0.8)
    assert kind is optim.SGD and settings["momentum"] == 0.8 and settings["nesterov"]
    assert group("AdaGrad")[0] is optim.Adagrad
    kind, settings = group("RMSprop", alpha=0.9)
    assert kind is optim.RMSprop and settings["alpha"] == 0.9 and settings["momentum"] == 0
    kind, settings = group("Adam", beta1=0.5, beta2=0.99)
    assert kind is optim.Adam and tuple(settings["betas"]) == (0.5, 0.99)
    with pytest.raises(ValueError, match="no optimizer 'Lion'"):
        pg.make_optimizer("Lion", [Value(1.0)], lr=0.1)


def test_encoding_round_trip_and_missing_points():
    window = (-1.0, 3.0, -2.0, 2.0)
    path = np.array([[0.123456, -1.5], [3.0, 2.0], [-1.0, -2.0], [5.0, 0.0], [np.nan, np.nan]])
    back = pg.decode_path(pg.encode_path(path, window), window)
    assert np.all(np.abs(back[:3] - path[:3]) <= 4 / 65534 / 2 + 1e-12)
    assert np.isnan(back[3:]).all()


def test_what_to_try_tells_the_truth():
    """Each "What to try" card's claim, checked on the runs it shows."""
    def run(name, optimizer, steps, **settings):
        return run_optimizer(LANDSCAPES[name],
                             lambda p: pg.make_optimizer(optimizer, p, **settings), steps=steps)

    def loss(name, path):
        return LANDSCAPES[name](*path[-1])

    sgd = run("ill_conditioned", "SGD", 100, lr=0.95)
    momentum = run("ill_conditioned", "Momentum", 100, lr=1.0, momentum=0.5)
    assert loss("ill_conditioned", momentum) < 1e-20 * loss("ill_conditioned", sgd)
    assert np.all(np.sign(sgd[1:20, 1]) != np.sign(sgd[:19, 1]))  # bounces across y = 0
    too_much = run("ill_conditioned", "Momentum", 100, lr=1.0, momentum=0.9)
    assert np.ptp(np.sign(too_much[:, 0])) == 2  # swings past the minimum along x

    def off_ridge(path):  # the step at which |y| first passes 1
        return int(np.argmax(np.abs(path[:, 1]) > 1))
    sgd = run("saddle", "SGD", 100, lr=0.05)
    adam = run("saddle", "Adam", 100, lr=0.05, beta1=0.9, beta2=0.999)
    assert off_ridge(adam) < 25 < 60 < off_ridge(sgd)

    too_far = run("ill_conditioned", "SGD", 100, lr=1.02)
    assert np.all(np.abs(too_far[1:, 1]) > np.abs(too_far[:-1, 1]))  # every bounce higher
    assert loss("ill_conditioned", too_far) > 1000

    adagrad = run("rosenbrock", "AdaGrad", 300, lr=0.5)
    adam = run("rosenbrock", "Adam", 300, lr=0.1, beta1=0.9, beta2=0.999)
    assert np.hypot(*(adagrad[-1] - 1)) > 2 and np.hypot(*(adam[-1] - 1)) < 1
    steps = np.hypot(*np.diff(adagrad, axis=0).T)
    assert steps[-1] < steps[0] / 100  # its steps kept shrinking

    plain = run("ill_conditioned", "Momentum", 100, lr=0.2, momentum=0.9)
    nesterov = run("ill_conditioned", "Nesterov", 100, lr=0.2, momentum=0.9)
    assert loss("ill_conditioned", nesterov) < loss("ill_conditioned", plain) / 10
    assert nesterov[:, 0].max() < plain[:, 0].max()  # a smaller overshoot past x = 0

    sgd = run("himmelblau", "SGD", 100, lr=0.005)
    momentum = run("himmelblau", "Momentum", 100, lr=0.005, momentum=0.9)
    assert np.allclose(sgd[-1], (3, 2), atol=1e-3)
    assert np.allclose(momentum[-1], (3.584, -1.848), atol=0.05)


def test_presets_are_all_on_the_full_grid():
    assert all(pg.preset_fits(p) for p in pg.PRESETS)
    names = {p["landscape"] for p in pg.PRESETS}
    assert {"saddle", "ill_conditioned", "rosenbrock"} <= names
    assert not pg.preset_fits(pg.PRESETS[0], QUICK)  # the quick grid holds no ill_conditioned


def test_png_encoder_writes_a_png_that_pillow_reads():
    pil = pytest.importorskip("PIL.Image")
    import io
    rgb = (np.arange(2 * 3 * 3) * 9 % 256).astype(np.uint8).reshape(2, 3, 3)
    image = pil.open(io.BytesIO(pg.png_bytes(rgb)))
    assert image.size == (3, 2) and np.array_equal(np.asarray(image.convert("RGB")), rgb)


def test_playground_refuses_to_replace_another_file(tmp_path, capsys):
    other = tmp_path / "notes.html"
    other.write_text("my notes")
    assert main(["playground", "--out", str(other)]) == 2
    assert other.read_text() == "my notes"
    assert "not a playground page" in capsys.readouterr().err


def test_playground_into_a_missing_folder_says_so_before_computing(tmp_path, capsys):
    assert main(["playground", "--out", str(tmp_path / "nowhere" / "page.html")]) == 2
    captured = capsys.readouterr()
    assert "does not exist" in captured.err and "computing" not in captured.out


# --- the full page, written by the command ----------------------------------------------------

@pytest.fixture(scope="module")
def full_page(tmp_path_factory):
    folder = tmp_path_factory.mktemp("playground")
    assert main(["playground", "--out", str(folder)]) == 0  # a folder: FILE/playground.html
    path = folder / "playground.html"
    return str(path), path.read_text(encoding="utf-8")


def test_page_is_small_and_self_contained(full_page):
    path, html = full_page
    size = os.path.getsize(path)
    assert size < MAX_BYTES, f"the page is {size / 1e6:.2f} MB"
    assert pg.is_playground_page(path)
    # Nothing to fetch: no scheme URLs, no protocol-relative ones, every src/href is inline.
    assert not re.search(r"(?i)\b(?:https?|ftp|wss?|file):", html)
    assert not re.search(r"""["'(]//""", html)
    assert re.findall(r"""(?i)\b(?:src|href)\s*=\s*["']?([^"'\s>]*)""", html) == ["data:,"]
    assert not re.search(r"(?i)@import|<iframe|<object|<embed", html)
    for url in re.findall(r"url\(([^)]*)\)", html):
        assert url.startswith("#"), url
    # No second copy of the update rules: the script takes no square roots (AdaGrad, RMSprop
    # and Adam would need them) and never reads a gradient.
    with open(pg._TEMPLATE, encoding="utf-8") as file:
        template = file.read()
    script = template[template.index("<script>"):]
    assert "Math.sqrt" not in script and "grad" not in script.replace("tinygrad", "")


def test_full_page_holds_every_landscape_optimizer_and_setting(full_page):
    data = page_data(full_page[1])
    names = [entry["name"] for entry in data["landscapes"]]
    assert {"saddle", "ill_conditioned", "rosenbrock", "himmelblau"} <= set(names)
    assert [o["name"] for o in data["optimizers"]] == [
        "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]
    adam = dict(data["landscapes"][0]["runs"]["Adam"]["axes"])
    assert set(adam) == {"lr", "beta1", "beta2"} and len(adam["lr"]) >= 5
    assert len(data["presets"]) == len(pg.PRESETS)


def test_full_page_runs_equal_run_optimizer_for_sampled_settings(full_page):
    data = page_data(full_page[1])
    rng = np.random.default_rng(0)
    for entry in data["landscapes"]:
        for optimizer, runs in entry["runs"].items():
            settings = {name: values[rng.integers(len(values))] for name, values in runs["axes"]}
            assert_same_run(entry, optimizer, settings)
        # and the extreme corner of Adam's grid (the largest index: the row-major order's end)
        axes = entry["runs"]["Adam"]["axes"]
        assert_same_run(entry, "Adam", {name: values[-1] for name, values in axes})


# --- a real browser ---------------------------------------------------------------------------

def find_browser():
    """(chromium binary, chromedriver) or a reason why there is none."""
    try:
        import selenium  # noqa: F401
    except ImportError:
        return None, "selenium is not installed (pip install -e '.[dev]')"
    binary = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")
                   if shutil.which(n)), None)
    driver = shutil.which("chromedriver")
    if not (binary and driver):
        return None, ("no headless browser: install Debian's chromium and chromium-driver "
                      "(apt-get install chromium chromium-driver), as .ci/run does")
    return (binary, driver), None


def open_browser(width=1280, height=1000):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    (binary, driver), _ = find_browser()
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--hide-scrollbars", f"--window-size={width},{height}"):
        options.add_argument(argument)  # --no-sandbox: CI runs as root
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # An explicit driver path: selenium must not go looking for (downloading) one.
    return webdriver.Chrome(options=options, service=Service(driver))


def load(browser, path):
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get("file://" + os.path.abspath(path))
    WebDriverWait(browser, 20).until(
        lambda b: b.execute_script("return !!(window.playground && "
                                   "document.getElementById('current-path'))"))


def attribute(browser, element_id, name):
    """An attribute read in one script call: the page redraws its SVG elements at any time,
    so a Python-side element reference may go stale between finding and reading it."""
    return browser.execute_script(
        "const e = document.getElementById(arguments[0]); if (e === null) return null; "
        "return arguments[1] === 'value' ? e.value : e.getAttribute(arguments[1]);",
        element_id, name)


def problems(browser):
    """Browser-log entries that are warnings or errors (a JavaScript error is SEVERE)."""
    return [e for e in browser.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]


@pytest.fixture(scope="module")
def browser():
    found, reason = find_browser()
    if not found:
        pytest.skip(reason)
    driver = open_browser()
    yield driver
    driver.quit()


def test_page_in_a_headless_browser(browser, full_page, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    load(browser, full_page[0])
    assert problems(browser) == []
    before = attribute(browser, "current-path", "d")
    assert before.startswith("M") and before.count("L") > 50

    slider = browser.find_element(By.ID, "slider-lr")
    position = int(slider.get_attribute("value"))
    slider.send_keys(Keys.ARROW_RIGHT)  # what a learner's drag does: an input event
    assert int(slider.get_attribute("value")) == position + 1
    after = attribute(browser, "current-path", "d")
    assert after != before
    assert attribute(browser, "current-path", "data-settings") != ""

    # "pin this run" keeps it (grey) while the sliders move on; "replay" redraws step by step.
    browser.find_element(By.ID, "pin").click()
    pinned = attribute(browser, "pinned-path", "d")
    assert pinned == after
    browser.find_element(By.ID, "slider-lr").send_keys(Keys.ARROW_LEFT)
    assert attribute(browser, "pinned-path", "d") == pinned
    assert attribute(browser, "current-path", "d") == before

    def steps_shown(b):
        return int(attribute(b, "shown", "value")), int(attribute(b, "shown", "max"))
    browser.find_element(By.ID, "play").click()
    WebDriverWait(browser, 10, poll_frequency=0.05).until(
        lambda b: steps_shown(b)[0] < steps_shown(b)[1])
    assert attribute(browser, "current-path", "d") != before  # part of the path
    WebDriverWait(browser, 10).until(lambda b: steps_shown(b)[0] == steps_shown(b)[1])
    assert attribute(browser, "current-path", "d") == before

    # What the page draws for a setting is the library's run for that setting (checks the
    # page's own lookup: row-major over lr, β₁, β₂).
    data = page_data(full_page[1])
    settings = {"lr": 0.1, "beta1": 0.5, "beta2": 0.99}
    browser.execute_script("playground.select('rosenbrock', 'Adam', arguments[0], null)", settings)
    shown = browser.execute_script("return playground.current().pts")
    entry = next(e for e in data["landscapes"] if e["name"] == "rosenbrock")
    fresh = run_optimizer(LANDSCAPES["rosenbrock"],
                          lambda p: pg.make_optimizer("Adam", p, **settings), steps=entry["steps"])
    assert len(shown) == len(fresh)
    shown = np.array([[np.nan, np.nan] if p is None else p for p in shown], dtype=float)
    assert np.allclose(shown, fresh, atol=4e-4, equal_nan=True)

    # Every landscape and optimizer button draws without an error.
    for button in browser.find_elements(By.CSS_SELECTOR, "#landscapes button, #optimizers button"):
        button.click()
    for card in browser.find_elements(By.CSS_SELECTOR, "#presets .card"):
        card.click()
        assert attribute(browser, "pinned-path", "d").startswith("M")
    assert problems(browser) == []

    shot = tmp_path / "playground.png"
    assert browser.save_screenshot(str(shot))
    pil = pytest.importorskip("PIL.Image")
    pixels = np.asarray(pil.open(shot).convert("RGB")).astype(int)
    red = (np.abs(pixels - [214, 39, 40]).sum(axis=2) < 60).sum()
    assert red > 500, "the screenshot shows no red path"


def save_readme_screenshot(out=os.path.join(REPO, "demos", "images", "playground.png")):
    """Write the README's screenshot: the page as it opens (the first "What to try")."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        assert main(["playground", "--out", folder]) == 0
        browser = open_browser(1280, 900)
        try:
            load(browser, os.path.join(folder, "playground.html"))
            height = browser.execute_script("return document.documentElement.scrollHeight")
            browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": 1280, "height": height, "deviceScaleFactor": 1, "mobile": False})
            browser.save_screenshot(out)
        finally:
            browser.quit()
    print("wrote", out)


if __name__ == "__main__":
    sys.exit(save_readme_screenshot())
