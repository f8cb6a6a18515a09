"""The chain rule on a drawn graph: L = tanh(a·b + c)·d, before and after backward().

Five labelled Values go in, ``L`` comes out, and :func:`tinygrad_edu.viz.draw_graph` draws
every value (a box) and every operation (an ellipse) in between. Drawn *before*
``L.backward()``, the boxes say "grad not computed yet"; drawn *after*, each box holds
∂L/∂(that value). Read the second picture from right to left and you are doing
back-propagation by hand: a box's grad is the grad of the box its arrow leads to, times that
operation's local derivative — for ``*`` the *other* input, for ``+`` just 1, for ``tanh``
1 − tanh². The demo prints every grad from autograd beside the same number derived by hand
with those rules, and they agree to the last digit.

    python demos/11_chain_rule_graph.py        # or: tinygrad-edu demo chain_rule_graph

Writes the DOT source of both drawings (``.gv``, plain text: paste it into any Graphviz
viewer) and, when the Graphviz program ``dot`` is installed, PNG and SVG pictures.
"""
import argparse
import math
import os

import tinygrad_edu
from tinygrad_edu import Value

# The inputs: small round numbers, so the hand derivation below is easy to follow.
INPUTS = {"a": 2.0, "b": -1.5, "c": 3.5, "d": -2.0}


def build(inputs):
    """The expression, one labelled Value per step, so every box in the drawing has a name."""
    a, b, c, d = (Value(inputs[k], label=k) for k in "abcd")
    e = a * b
    e.label = "e = a·b"
    f = e + c
    f.label = "f = e + c"
    t = f.tanh()
    t.label = "t = tanh(f)"
    L = t * d
    L.label = "L = t·d"
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "t": t, "L": L}


def by_hand(inputs):
    """∂L/∂(each value) with the chain rule, written out one local derivative at a time."""
    a, b, c, d = (inputs[k] for k in "abcd")
    t = math.tanh(a * b + c)
    grads = {"L": 1.0}                         # ∂L/∂L
    grads["t"] = grads["L"] * d                # L = t·d      → ∂L/∂t = d
    grads["d"] = grads["L"] * t                #              → ∂L/∂d = t
    grads["f"] = grads["t"] * (1 - t * t)      # t = tanh(f)  → ∂t/∂f = 1 − tanh²(f)
    grads["e"] = grads["f"] * 1.0              # f = e + c    → ∂f/∂e = 1
    grads["c"] = grads["f"] * 1.0              #              → ∂f/∂c = 1
    grads["a"] = grads["e"] * b                # e = a·b      → ∂e/∂a = b
    grads["b"] = grads["e"] * a                #              → ∂e/∂b = a
    return grads


def save_drawing(graph, out, stem, formats):
    """Write ``stem.gv`` (always) and ``stem.<format>`` for each format (needs ``dot``)."""
    from tinygrad_edu.viz import DotNotFoundError, render_graph

    paths = [os.path.join(out, stem + ".gv")]
    with open(paths[0], "w", encoding="utf-8") as file:
        file.write(graph.source)
    for fmt in formats:
        try:
            paths.append(render_graph(graph, os.path.join(out, f"{stem}.{fmt}"), format=fmt))
        except DotNotFoundError as error:
            print(f"\nno {fmt.upper()} picture: {error}\n")
            return paths, False
    return paths, True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0,
                        help="unused (the expression has fixed inputs); kept for a uniform CLI")
    parser.add_argument("--out", default=os.path.join("demos", "out"))
    parser.add_argument("--quick", action="store_true",
                        help="same run (it is already instant); PNG only, no SVG")
    parser.add_argument("--rankdir", choices=["LR", "TB"], default="LR",
                        help="lay the graph out left to right (wide) or top to bottom (tall: "
                             "readable in a narrow column, as the README's picture)")
    args = parser.parse_args(argv)
    tinygrad_edu.manual_seed(args.seed)

    nodes = build(INPUTS)
    L = nodes["L"]
    print("L = tanh(a·b + c)·d   with  " + ", ".join(f"{k} = {v}" for k, v in INPUTS.items()))
    print(f"forward pass: e = {nodes['e'].data}, f = {nodes['f'].data}, "
          f"t = {nodes['t'].data:.6f}, L = {L.data:.6f}\n")

    result = {"L": L.data, "files": []}
    try:
        from tinygrad_edu.viz import draw_graph
        before = draw_graph(L, rankdir=args.rankdir)   # grads still 0.0: "not computed yet"
    except ImportError as error:
        print(f"{error}\n(no drawings; the gradients follow)\n")
        before = None

    L.backward()
    hand = by_hand(INPUTS)
    print(f"{'value':12s} {'data':>10s} {'grad (autograd)':>16s} {'grad (by hand)':>15s}  rule")
    rules = {"L": "seed: ∂L/∂L = 1", "t": "∂L/∂t = d", "d": "∂L/∂d = t",
             "f": "∂L/∂f = ∂L/∂t · (1 − t²)", "e": "∂L/∂e = ∂L/∂f · 1",
             "c": "∂L/∂c = ∂L/∂f · 1", "a": "∂L/∂a = ∂L/∂e · b", "b": "∂L/∂b = ∂L/∂e · a"}
    grads = {}
    for name in ["L", "t", "d", "f", "e", "c", "a", "b"]:
        node = nodes[name]
        grads[name] = {"autograd": node.grad, "hand": hand[name]}
        print(f"{node.label:12s} {node.data:10.6f} {node.grad:16.10f} {hand[name]:15.10f}  "
              f"{rules[name]}")
    worst = max(abs(g["autograd"] - g["hand"]) for g in grads.values())
    print(f"\nlargest difference between autograd and the hand derivation: {worst:.1e}")
    result["grads"] = grads
    result["max_difference"] = worst

    if before is None:
        return result
    after = draw_graph(L, rankdir=args.rankdir)
    if args.rankdir == "TB":
        for graph in (before, after):          # closer ranks: a shorter picture
            graph.graph_attr.update(ranksep="0.3", nodesep="0.3")
    os.makedirs(args.out, exist_ok=True)
    formats = ["png"] if args.quick else ["png", "svg"]
    rendered = True
    for stem, graph, when in [("11_graph_before_backward", before, "before backward()"),
                              ("11_graph_after_backward", after, "after backward()")]:
        paths, ok = save_drawing(graph, args.out, stem, formats if rendered else [])
        rendered = rendered and ok
        print(f"graph {when} written to " + ", ".join(paths))
        result["files"] += paths
    result["rendered"] = rendered
    print("\nWhat to look at (11_graph_after_backward): every box holds its value (data) and "
          "dL/d(value) (grad).\n  Follow the chain rule backwards from L (grad 1): "
          f"t gets d = {INPUTS['d']}, f gets that times 1 − t² = {nodes['f'].grad:.4f},\n"
          f"  a + and a · pass it on; a's grad {nodes['a'].grad:.4f} is ∂L/∂e · b, as in the "
          "table above.")
    return result


if __name__ == "__main__":
    main()
