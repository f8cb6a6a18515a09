"""Pictures: computation graphs (``graphviz``) and training plots (``matplotlib``).

Install the optional packages with ``pip install "tinygrad_edu[viz]"``. They are imported
inside the functions that need them, so ``import tinygrad_edu.viz`` works without them.
Every plotting function returns a ``matplotlib.figure.Figure`` (it never calls ``plt.show``);
save it with ``fig.savefig("name.png")`` or let Jupyter display it.
"""
from .graph import DotNotFoundError, draw_graph, render_graph
from .plots import (animate_trajectories, plot_decision_boundary, plot_history, plot_trajectories,
                    save_figure)

__all__ = ["draw_graph", "render_graph", "DotNotFoundError", "plot_trajectories",
           "animate_trajectories", "plot_history", "plot_decision_boundary", "save_figure"]
