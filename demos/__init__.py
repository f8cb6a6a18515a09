"""The demo scripts (demos/NN_name.py), shipped as tinygrad_edu.demos: run them with `tinygrad-edu demo NAME`."""
