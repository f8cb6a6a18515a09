"""Load a demo script by file name, as the tests run demos in-process (demos are scripts,
not an importable package, and their names start with digits)."""
import importlib.util
import os

DEMOS = os.path.join(os.path.dirname(__file__), os.pardir, "demos")


def load_demo(filename):
    """The module of ``demos/<filename>`` (e.g. ``"01_moons.py"``), freshly executed."""
    spec = importlib.util.spec_from_file_location(f"demo_{filename[:-3]}",
                                                  os.path.join(DEMOS, filename))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
