"""The playground's drawing helpers, pinned number by number (mutation survivors of
issue 22's run over viz/playground.py): the coordinate window, the colour map, the contour
picture and its colour bar, the loss plot's range and the presets a page keeps."""
import numpy as np

from tinygrad_edu.landscapes import LANDSCAPES
from tinygrad_edu.viz import playground as pg


def test_the_window_is_the_map_plus_two_map_widths_on_every_side():
    landscape = LANDSCAPES["rosenbrock"]
    (x0, x1), (y0, y1) = landscape.bounds
    w, h = x1 - x0, y1 - y0
    assert pg._window(landscape) == (x0 - 2 * w, x1 + 2 * w, y0 - 2 * h, y1 + 2 * h)


def test_the_colour_map_passes_through_its_anchors_and_blends_linearly_between():
    anchors = pg._ANCHORS
    t = np.array([0.0, 0.25, 0.5, 0.75, 1.0, 0.125, 0.875])
    expected = [anchors[0], anchors[1], anchors[2], anchors[3], anchors[4],
                (anchors[0] + anchors[1]) / 2, (anchors[3] + anchors[4]) / 2]
    np.testing.assert_allclose(pg._colour(t), expected)


def test_the_contour_picture_has_band_colours_darker_edges_and_a_true_colour_bar(monkeypatch):
    captured = {}
    real_png = pg.png_bytes
    monkeypatch.setattr(pg, "png_bytes", lambda rgb: captured.setdefault("rgb", rgb) is not None
                        and real_png(rgb))
    landscape = LANDSCAPES["rosenbrock"]                  # log-spaced levels
    uri, bar = pg._contour_image(landscape, 40, 30, bands=4)
    assert uri.startswith("data:image/png;base64,")
    rgb = captured["rgb"].astype(float)
    centres = [pg._colour(np.array((k + 0.5) / 4)).astype(np.uint8).astype(float)
               for k in range(4)]
    flat = rgb.reshape(-1, 3)
    plain = [np.all(flat == c, axis=1).sum() for c in centres]
    darker = [np.all(np.abs(flat - np.floor(c * 0.72)) <= 1, axis=1).sum() for c in centres]
    assert sum(n > 0 for n in plain) >= 2 and sum(darker) > 0
    assert sum(plain) + sum(darker) == len(flat)          # every pixel: a band or its edge
    (x0, x1), (y0, y1) = landscape.bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, 40), np.linspace(y1, y0, 30))
    values = landscape(gx, gy)
    assert bar["colours"] == ["#%02x%02x%02x" % tuple(int(v) for v in c) for c in
                              (pg._colour(np.array((k + 0.5) / 4)) for k in range(4))]
    assert np.isclose(bar["edges"][-1], float(f"{values.max():.3g}"), rtol=1e-2)
    assert bar["edges"] == sorted(bar["edges"]) and len(bar["edges"]) == 5


def test_the_loss_range_on_a_log_scale_ignores_non_positive_and_non_finite_losses():
    landscape = LANDSCAPES["rosenbrock"]
    losses = np.array([np.inf, -5.0, 0.0, np.nan] + [1e-3] * 50 + [10.0] * 50)
    low, top = pg._loss_range(landscape, losses, log=True)
    assert low == 1e-3 and top == 10 ** np.ceil(np.log10(landscape(*landscape.start) * 20))


def test_a_page_keeps_exactly_the_presets_its_grid_can_show():
    grids = {"ill_conditioned": (5, {"SGD": [0.95, 1.02], "Momentum": [1.0]}),
             "saddle": (5, {"SGD": [0.05]})}
    data = pg.playground_data(grids=grids)
    titles = [p["title"] for p in data["presets"]]
    assert titles == ["Momentum in the narrow valley", "One step too far"]


def test_a_pixel_is_darkened_exactly_where_its_right_or_lower_neighbour_is_another_band(
        monkeypatch):
    captured = {}
    real_png = pg.png_bytes
    monkeypatch.setattr(pg, "png_bytes", lambda rgb: captured.setdefault("rgb", rgb) is not None
                        and real_png(rgb))
    landscape = LANDSCAPES["himmelblau"]
    pg._contour_image(landscape, 36, 36, bands=5)
    (x0, x1), (y0, y1) = landscape.bounds
    gx, gy = np.meshgrid(np.linspace(x0, x1, 36), np.linspace(y1, y0, 36))
    level = pg._level_values(landscape, landscape(gx, gy))
    band = np.clip(np.floor((level - level.min()) / np.ptp(level) * 5), 0, 4)
    crossing = np.zeros(band.shape, bool)
    crossing[:, :-1] |= band[:, 1:] != band[:, :-1]
    crossing[:-1, :] |= band[1:, :] != band[:-1, :]
    plain = pg._colour((band + 0.5) / 5)
    expected = np.where(crossing[..., None], plain * 0.72, plain).astype(np.uint8)
    np.testing.assert_array_equal(captured["rgb"], expected)
    assert crossing[:, :-1].any() and (crossing & ~np.roll(crossing, 1, axis=0)).any()


def test_the_saddles_linear_loss_range_runs_from_below_its_lowest_value_to_above_the_start():
    saddle = LANDSCAPES["saddle"]
    (x0, x1), (y0, y1) = saddle.bounds
    lowest = float(saddle(*np.meshgrid(np.linspace(x0, x1, 101), np.linspace(y0, y1, 101)))
                   .min())
    start = float(saddle(*saddle.start))
    assert pg._loss_range(saddle, np.array([1.0]), log=False) == \
        [2 * min(lowest, 0.0) - 1, np.ceil(max(start, 0.0) * 1.25) + 1]
