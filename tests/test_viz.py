"""Pictures (API §10): the computation graph's nodes, edges and labels, rendering with and
without the Graphviz program, and the matplotlib figures' artists."""
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from tinygrad_edu import Tensor, Value, nn, optim, scalar
from tinygrad_edu.landscapes import LANDSCAPES, run_optimizer

graphviz = pytest.importorskip("graphviz")
import tinygrad_edu.viz as viz  # noqa: E402

VIZ_EXTRA = 'pip install "tinygrad_edu[viz]"'


# ----------------------------------------------------------------------------- graphs
def parse(graph):
    """(value boxes {name: [fields]}, op ellipses {name: label}, edges [(tail, head)], attrs)."""
    values, ops, edges, attrs = {}, {}, [], []
    for line in graph.body:
        line = line.strip()
        node = re.fullmatch(r'(\w+) \[label=(".*"|\S+) shape=(record|ellipse)\]', line)
        edge = re.fullmatch(r"(\w+) -> (\w+)", line)
        if node:
            name, label, shape = node.groups()
            label = label.strip('"')
            if shape == "record":
                values[name] = [f.strip() for f in label.strip("{} ").split(" | ")]
            else:
                ops[name] = label
        elif edge:
            edges.append(edge.groups())
        else:
            attrs.append(line)
    return values, ops, edges, attrs


def value_expression():
    """d = a*b + a: four values, two ops, and ``a`` feeding two ops (its grad is a sum)."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = c + a
    d.label = "d"
    return a, b, c, d


def box(values, label):
    (fields,) = [f for f in values.values() if f[0] == label]
    return fields


def test_value_graph_nodes_edges_and_labels_before_backward():
    *_, d = value_expression()
    graph = viz.draw_graph(d)
    assert isinstance(graph, graphviz.Digraph)
    values, ops, edges, attrs = parse(graph)
    assert len(values) == 4 and sorted(ops.values()) == ["*", "+"]
    assert box(values, "a") == ["a", "data 2.0000", "grad not computed yet"]
    assert box(values, "c") == ["c", "data -6.0000", "grad not computed yet"]
    assert box(values, "d") == ["d", "data -4.0000", "grad not computed yet"]
    name = {fields[0]: n for n, fields in values.items()}
    op = {label: n for n, label in ops.items()}
    # value -> op -> result, left to right; a feeds both ops
    assert sorted(edges) == sorted([
        (name["a"], op["*"]), (name["b"], op["*"]), (op["*"], name["c"]),
        (name["c"], op["+"]), (name["a"], op["+"]), (op["+"], name["d"])])
    assert "rankdir=LR" in attrs
    assert any("not computed yet" in a and "backward()" in a for a in attrs)  # the caption


def test_value_graph_shows_real_gradients_after_backward():
    a, b, c, d = value_expression()
    d.backward()
    values, _, _, attrs = parse(viz.draw_graph(d))
    # ∂d/∂a = b + 1 = -2 (two paths), ∂d/∂b = a = 2, ∂d/∂c = 1
    assert box(values, "a")[2] == "grad -2.0000"
    assert box(values, "b")[2] == "grad 2.0000"
    assert box(values, "c")[2] == "grad 1.0000"
    assert box(values, "d")[2] == "grad 1.0000"
    assert not any("not computed" in " ".join(f) for f in values.values())
    assert not any("not computed" in a for a in attrs)


def test_rankdir_and_show_grad_false():
    a, b, c, d = value_expression()
    d.backward()
    graph = viz.draw_graph(d, rankdir="TB", show_grad=False)
    values, ops, _, attrs = parse(graph)
    assert "rankdir=TB" in attrs and "rankdir=LR" not in attrs
    assert box(values, "a") == ["a", "data 2.0000"]
    assert "grad" not in graph.source
    with pytest.raises(ValueError, match="rankdir"):
        viz.draw_graph(d, rankdir="sideways")


def test_tensor_graph_shows_shape_dtype_summary_and_fused_op_names():
    model = nn.MLP([2, 3, 4])
    x = Tensor(np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32))
    loss = nn.functional.cross_entropy(model(x), np.array([0, 3]))
    values, ops, edges, _ = parse(viz.draw_graph(loss))
    assert sorted(ops.values()) == ["CrossEntropy", "Linear", "Linear", "Relu"]
    # 4 parameters + input + 2 Linear outputs + ReLU output + loss
    assert len(values) == 9
    # each Linear has 3 inputs and 1 output, ReLU and CrossEntropy 1 and 1
    assert len(edges) == 2 * 4 + 2 + 2
    texts = [" | ".join(f) for f in values.values()]
    assert "(2, 2) float32 | data mean 2.5  min 1  max 4 | no grad (requires_grad=False)" \
        in texts
    assert any(t.startswith("() ") and "grad not computed yet" in t for t in texts)
    loss.backward()
    values, *_ = parse(viz.draw_graph(loss))
    weight = model[0].weight.grad
    summary = (f"grad mean {weight.mean():.4g}  min {weight.min():.4g}  "
               f"max {weight.max():.4g}")
    # nn labels its parameters with their attribute names, so the boxes say "weight"
    (weight_box,) = [f for f in values.values() if f[:2] == ["weight", "(3, 2) float64"]]
    assert weight_box[3] == summary


def test_draw_graph_rejects_non_graph():
    with pytest.raises(TypeError, match="Value or a Tensor"):
        viz.draw_graph([1.0])


def test_missing_graphviz_package_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "graphviz", None)
    with pytest.raises(ImportError, match=re.escape(VIZ_EXTRA)):
        viz.draw_graph(Value(1.0))


@pytest.mark.skipif(shutil.which("dot") is None, reason="the Graphviz program dot is absent")
@pytest.mark.parametrize("suffix, signature", [("png", b"\x89PNG\r\n\x1a\n"), ("svg", b"<svg")])
def test_render_png_and_svg(tmp_path, suffix, signature):
    *_, d = value_expression()
    path = tmp_path / "sub" / f"graph.{suffix}"
    assert viz.render_graph(viz.draw_graph(d), str(path)) == str(path)
    data = path.read_bytes()
    assert signature in data[:300]  # an SVG starts with an XML header, then <svg
    assert viz.draw_graph(d).pipe(format=suffix)[:200] == data[:200]


def test_missing_dot_says_how_to_install_and_keeps_the_source(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no `dot` anywhere
    assert shutil.which("dot") is None
    *_, d = value_expression()
    graph = viz.draw_graph(d)
    assert "grad not computed yet" in graph.source  # the DOT text needs no program
    for render in (lambda: viz.render_graph(graph, str(tmp_path / "g.png")),
                   lambda: graph.pipe(format="svg"),           # what Jupyter calls
                   lambda: graph.render(str(tmp_path / "g"))):
        with pytest.raises(viz.DotNotFoundError) as info:
            render()
        message = str(info.value)
        assert "dot" in message and "apt-get install graphviz" in message
        assert "brew install graphviz" in message and ".source" in message
    assert not (tmp_path / "g.png").exists()


def test_import_viz_loads_no_optional_package():
    code = ("import sys, tinygrad_edu.viz\n"
            "print(sorted(m for m in ('matplotlib', 'graphviz', 'PIL') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


# ----------------------------------------------------------------------------- plots
matplotlib = pytest.importorskip("matplotlib")
from matplotlib.contour import ContourSet  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402


def races(landscape, steps=10):
    return {"SGD": run_optimizer(landscape, lambda p: optim.SGD(p, lr=1e-3), steps=steps),
            "Adam": run_optimizer(landscape, lambda p: optim.Adam(p, lr=0.1), steps=steps)}


def lines_by_label(ax):
    return {line.get_label(): line for line in ax.lines}


def test_plot_trajectories_artists():
    landscape = LANDSCAPES["rosenbrock"]
    paths = races(landscape)
    figure = viz.plot_trajectories(landscape, paths)
    assert isinstance(figure, Figure)
    ax, bar = figure.axes                       # the map and its colour bar
    assert "f(x, y)" in bar.get_ylabel() and "log" in bar.get_ylabel()  # rosenbrock: log levels
    assert sum(isinstance(c, ContourSet) for c in ax.collections) >= 1
    lines = lines_by_label(ax)
    assert set(lines) == {"SGD", "Adam", "start", "minimum"}
    for name, path in paths.items():
        np.testing.assert_array_equal(np.asarray(lines[name].get_xydata()), path)
    np.testing.assert_array_equal(lines["start"].get_xydata(), [landscape.start])
    np.testing.assert_array_equal(lines["minimum"].get_xydata(), [landscape.minima[0]])
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert sorted(legend) == sorted(["SGD", "Adam", "start", "minimum"])
    # the legend sits below the map, hiding nothing; the two paths have different colours
    figure.canvas.draw()
    renderer = figure.canvas.get_renderer()
    assert ax.get_legend().get_window_extent(renderer).y1 < ax.get_window_extent(renderer).y0
    assert lines["SGD"].get_color() != lines["Adam"].get_color()


def test_plot_trajectories_colours_by_name_and_every_filled_contour_has_a_colour_bar():
    landscape = LANDSCAPES["saddle"]
    paths = races(landscape)
    figure = viz.plot_trajectories(landscape, paths, colors={"Adam": "#123456"})
    ax, bar = figure.axes
    assert lines_by_label(ax)["Adam"].get_color() == "#123456"
    assert bar.get_ylabel() == "f(x, y)"                  # linear levels on the saddle
    low, high = bar.get_ylim()
    assert low <= -6 and high >= 6                        # x² − y² over [-2.5, 2.5]²
    figure = viz.plot_trajectories(landscape, paths, colorbar=False, legend=False)
    (ax,) = figure.axes
    assert ax.get_legend() is None


def test_plot_trajectories_into_given_ax_marks_diverged_runs():
    figure = Figure()
    left, right = figure.subplots(1, 2)
    path = np.array([[1.0, 1.0], [2.0, 2.0], [np.nan, np.nan]])
    assert viz.plot_trajectories(LANDSCAPES["saddle"], [path], ax=right) is figure
    assert left.lines == [] or len(left.lines) == 0
    assert len(figure.axes) == 3                          # + the right map's colour bar
    assert "path 0 (diverged)" in lines_by_label(right)
    assert "minimum" not in lines_by_label(right)  # the saddle has no minimum


def test_animate_trajectories_writes_a_gif(tmp_path):
    from PIL import Image
    landscape = LANDSCAPES["himmelblau"]
    path = tmp_path / "race.gif"
    assert viz.animate_trajectories(landscape, races(landscape, steps=9), str(path), fps=5,
                                    max_frames=3) == str(path)
    data = path.read_bytes()
    assert data[:6] == b"GIF89a"
    with Image.open(path) as gif:
        assert gif.n_frames == 4  # steps 0, 3, 6, 9


def test_plot_history_curves():
    history = {"loss": [2.0, 1.0, 0.5, 0.05], "val_loss": [2.1, 1.2, 0.7, 0.4],
               "accuracy": [0.5, 0.7, 0.9, 0.95]}
    figure = viz.plot_history(history)
    ax, right = figure.axes
    assert [line.get_label() for line in ax.lines] == ["loss", "val_loss"]
    assert [line.get_label() for line in right.lines] == ["accuracy"]
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), history["loss"])
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3, 4])
    assert ax.get_yscale() == "log"  # 2.1 / 0.05 > 20
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(history)

    figure = Figure()
    ax = figure.add_subplot()
    assert viz.plot_history([Value(3.0), 2.0, np.float32(1.5)], ax=ax) is figure
    assert len(ax.lines) == 1 and ax.get_yscale() == "linear"
    np.testing.assert_array_equal(ax.lines[0].get_ydata(), [3.0, 2.0, 1.5])
    with pytest.raises(ValueError, match="empty"):
        viz.plot_history([])


def decision_artists(ax):
    contours = [c for c in ax.collections if isinstance(c, ContourSet)]
    scatters = [c for c in ax.collections if not isinstance(c, ContourSet)]
    return contours, scatters


def test_plot_decision_boundary_tensor_mlp_with_logits():
    X = np.random.default_rng(1).normal(size=(30, 2))
    y = np.arange(30) % 3
    model = nn.MLP([2, 8, 3])
    figure = viz.plot_decision_boundary(model, X, y)
    (ax,) = figure.axes
    contours, scatters = decision_artists(ax)
    assert any(c.filled for c in contours)
    assert [s.get_label() for s in scatters] == ["class 0", "class 1", "class 2"]
    assert sum(len(s.get_offsets()) for s in scatters) == 30
    accuracy = np.mean(model(Tensor(X)).data.argmax(axis=1) == y)
    assert f"accuracy {100 * accuracy:.1f}%" in ax.get_title()
    with pytest.raises(ValueError, match="0..2"):
        viz.plot_decision_boundary(model, X, y + 1)


def test_plot_decision_boundary_scalar_mlp_into_ax():
    X = np.random.default_rng(2).normal(size=(12, 2))
    y = np.where(X[:, 0] > 0, 1, -1)
    model = scalar.MLP(2, [4, 1])
    figure = Figure()
    ax = figure.add_subplot()
    assert viz.plot_decision_boundary(model, X, y, ax=ax, resolution=12) is figure
    contours, scatters = decision_artists(ax)
    assert any(c.filled for c in contours)
    assert any(not c.filled and list(c.levels) == [0.0] for c in contours)  # score = 0 line
    assert sorted(s.get_label() for s in scatters) == ["class -1", "class 1"]
    margins = np.array([model(list(point)).data for point in X])
    accuracy = np.mean(np.where(margins > 0, 1, -1) == y)
    assert f"accuracy {100 * accuracy:.1f}%" in ax.get_title()


@pytest.mark.parametrize("call", [
    lambda p: viz.plot_history([1.0, 0.5]),
    lambda p: viz.plot_trajectories(LANDSCAPES["saddle"], [np.zeros((2, 2))]),
    lambda p: viz.animate_trajectories(LANDSCAPES["saddle"], [np.zeros((2, 2))], str(p)),
    lambda p: viz.plot_decision_boundary(nn.MLP([2, 2]), np.zeros((2, 2)), np.zeros(2)),
], ids=["history", "trajectories", "animate", "decision_boundary"])
def test_missing_matplotlib_names_the_extra(call, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=re.escape(VIZ_EXTRA)):
        call(tmp_path / "x.gif")
    assert not (tmp_path / "x.gif").exists()


def test_save_figure_draws_off_screen_saves_and_says_where(tmp_path, capsys):
    from tinygrad_edu.viz import save_figure

    def draw(plt):
        figure, ax = plt.subplots()
        ax.plot([0, 1], [1, 0])
        return figure
    path = save_figure(draw, str(tmp_path / "new" / "line.png"), dpi=50, what="a line")
    assert path == str(tmp_path / "new" / "line.png")
    assert open(path, "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    assert f"a line written to {path}" in capsys.readouterr().out
    import matplotlib.pyplot as plt
    assert plt.get_fignums() == []                  # closed once saved


def test_save_figure_without_matplotlib_says_how_to_install_it(tmp_path, capsys, monkeypatch):
    import sys
    from tinygrad_edu.viz import save_figure
    monkeypatch.setitem(sys.modules, "matplotlib", None)     # import matplotlib now fails
    assert save_figure(lambda plt: 1 / 0, str(tmp_path / "x.png")) is None
    assert 'pip install "tinygrad_edu[viz]"' in capsys.readouterr().out
    assert not (tmp_path / "x.png").exists()
