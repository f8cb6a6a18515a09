"""The catalog of convolution and pooling calls held to PyTorch's numbers: one table that
``tests/reference/make_conv_reference.py`` (with torch) turns into ``conv_reference.npz`` and
``tests/test_conv.py`` (numpy only) checks against it. Kept apart from the test module so the
script imports no test machinery.

A case: ``name``, the ``nn.functional`` function, the input shapes (conv2d: input, weight and
optionally bias; pools: input), how the input is filled (``data``), the keyword arguments,
and ``post``: an element-wise function applied after the call for the second-order rows
("tanh" or "square"; None: the case is checked to first order only).
"""
from collections import namedtuple

import numpy as np

Case = namedtuple("Case", "name fn shapes data kwargs post")

CASES = [
    # conv2d: defaults, stride, padding, non-square everything, tuple/list args, no bias,
    # unbatched, 1×1, a stride longer than the kernel (rows skipped), kernel = padded input.
    Case("conv_basic", "conv2d", ((2, 3, 5, 5), (4, 3, 3, 3), (4,)), "normal", {}, "tanh"),
    Case("conv_stride2_pad1", "conv2d", ((2, 2, 6, 6), (3, 2, 3, 3), (3,)), "normal",
         {"stride": 2, "padding": 1}, "square"),
    Case("conv_nonsquare", "conv2d", ((2, 2, 6, 5), (3, 2, 2, 3), (3,)), "normal",
         {"stride": (2, 1), "padding": (1, 0)}, "tanh"),
    Case("conv_list_args", "conv2d", ((1, 2, 5, 7), (2, 2, 3, 2), (2,)), "normal",
         {"stride": [1, 3], "padding": [0, 2]}, None),
    Case("conv_no_bias", "conv2d", ((2, 3, 4, 4), (2, 3, 2, 2)), "normal",
         {"padding": 1}, "square"),
    Case("conv_unbatched", "conv2d", ((3, 5, 4), (2, 3, 3, 3), (2,)), "normal",
         {"padding": (1, 1)}, "tanh"),
    Case("conv_1x1", "conv2d", ((2, 4, 3, 3), (5, 4, 1, 1), (5,)), "normal", {}, None),
    Case("conv_stride_past_kernel", "conv2d", ((1, 2, 7, 8), (2, 2, 2, 2), (2,)), "normal",
         {"stride": 3}, "tanh"),
    Case("conv_kernel_fills_padded_input", "conv2d", ((2, 1, 2, 2), (3, 1, 4, 4), (3,)),
         "normal", {"padding": 1}, None),
    # max_pool2d: default stride, overlap + padding, non-square, ties (within and across
    # overlapping windows, and a constant image), NaN (one, and two in a window), -inf next to
    # padding, unbatched.
    Case("max_k2", "max_pool2d", ((2, 3, 4, 6),), "normal", {"kernel_size": 2}, "square"),
    Case("max_k3_s2_p1", "max_pool2d", ((2, 2, 7, 7),), "normal",
         {"kernel_size": 3, "stride": 2, "padding": 1}, "tanh"),
    Case("max_nonsquare", "max_pool2d", ((1, 2, 5, 6),), "normal",
         {"kernel_size": (2, 3), "stride": (1, 2), "padding": (1, 1)}, "square"),
    Case("max_ties_overlapping", "max_pool2d", ((2, 2, 6, 6),), "ties",
         {"kernel_size": 3, "stride": 1, "padding": 1}, None),
    Case("max_ties_k2", "max_pool2d", ((2, 3, 6, 6),), "ties", {"kernel_size": 2}, None),
    Case("max_constant_image", "max_pool2d", ((1, 1, 5, 5),), "constant",
         {"kernel_size": (3, 2), "stride": (2, 1), "padding": (1, 1)}, None),
    Case("max_nan", "max_pool2d", ((1, 2, 4, 4),), "nan", {"kernel_size": 2}, None),
    Case("max_neg_inf_by_padding", "max_pool2d", ((1, 1, 3, 4),), "neg_inf",
         {"kernel_size": 2, "stride": 1, "padding": 1}, None),
    Case("max_unbatched", "max_pool2d", ((2, 5, 5),), "normal",
         {"kernel_size": 3, "stride": 2}, "tanh"),
    # avg_pool2d: default stride, overlap + padding (zeros counted), non-square, unbatched.
    Case("avg_k2", "avg_pool2d", ((2, 3, 4, 6),), "normal", {"kernel_size": 2}, "square"),
    Case("avg_k3_s2_p1", "avg_pool2d", ((2, 2, 7, 7),), "normal",
         {"kernel_size": 3, "stride": 2, "padding": 1}, "tanh"),
    Case("avg_nonsquare", "avg_pool2d", ((1, 2, 5, 6),), "normal",
         {"kernel_size": (2, 3), "stride": (1, 2), "padding": (1, 1)}, "square"),
    Case("avg_unbatched", "avg_pool2d", ((2, 5, 5),), "normal",
         {"kernel_size": 2, "stride": 1}, None),
]


def make_inputs(case, rng):
    """The case's float64 input arrays; the first is filled as ``case.data`` says."""
    arrays = [rng.standard_normal(shape) for shape in case.shapes]
    x = arrays[0]
    if case.data == "ties":          # few distinct values: many tied maxima
        x[...] = rng.integers(0, 3, size=x.shape)
    elif case.data == "constant":    # every window a tie
        x[...] = 1.5
    elif case.data == "nan":         # one NaN in a window, and two NaNs in another
        x[0, 0, 0, 1] = np.nan
        x[0, 1, 2, 2] = x[0, 1, 3, 3] = np.nan
    elif case.data == "neg_inf":     # windows that hold -inf and padding only
        x[0, 0, 0, :2] = -np.inf
    return arrays


def post(name, out, like_torch=False):
    """The case's element-wise function after the call (for second derivatives)."""
    if name == "tanh":
        return out.tanh()
    if name == "square":
        return out * out
    return out
