"""Grad mode (``no_grad`` / ``enable_grad``): re-entrant, exception-safe and per thread (§2)."""
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from tinygrad_edu import Tensor, Value, enable_grad, is_grad_enabled, no_grad
from tinygrad_edu.gradcheck import gradcheck


@no_grad()
def countdown(n):
    """A recursive function under the decorator: each call enters the same decorator again."""
    return 0 if n == 0 else countdown(n - 1)


def test_a_recursive_no_grad_function_restores_the_mode():
    """Issue 9, row 3: the mode stayed off after it returned, so the next step got zero grads."""
    countdown(3)
    assert is_grad_enabled()
    x = Value(3.0)
    (x * x).backward()
    assert x.grad == 6.0


def test_a_recursive_enable_grad_function_restores_the_mode_inside_no_grad():
    @enable_grad()
    def depth(n):
        assert is_grad_enabled()
        return 0 if n == 0 else depth(n - 1)

    with no_grad():
        depth(3)
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_one_context_manager_object_entered_twice_restores_each_level():
    off, on = no_grad(), enable_grad()
    with off:
        with off:
            assert not is_grad_enabled()
        assert not is_grad_enabled()
        with on:
            with on:
                assert is_grad_enabled()
            assert is_grad_enabled()
        assert not is_grad_enabled()
    assert is_grad_enabled()


def test_an_exception_inside_no_grad_propagates_and_restores_the_mode():
    with pytest.raises(KeyError, match="boom"):
        with no_grad():
            raise KeyError("boom")
    assert is_grad_enabled()

    @no_grad()
    def fails():
        raise ZeroDivisionError("inside")

    with pytest.raises(ZeroDivisionError, match="inside"):
        fails()
    assert is_grad_enabled()


def test_grad_mode_is_per_thread():
    """Issue 9, row 4: one thread in no_grad made another thread's steps record nothing."""
    inside, done = threading.Event(), threading.Event()
    seen_by_the_other_thread = []

    def evaluate():
        with no_grad():
            seen_by_the_other_thread.append(is_grad_enabled())
            inside.set()
            done.wait(10)

    worker = threading.Thread(target=evaluate)
    worker.start()
    try:
        assert inside.wait(10)
        assert is_grad_enabled()       # this thread still records
        x = Value(2.0)
        (x * x).backward()
        t = Tensor(np.array([1.0, 2.0]), requires_grad=True)
        (t * t).sum().backward()
    finally:
        done.set()
        worker.join()
    assert seen_by_the_other_thread == [False]
    assert x.grad == 4.0
    np.testing.assert_array_equal(t.grad, [2.0, 4.0])


def test_a_new_thread_starts_with_grad_enabled_even_inside_no_grad():
    seen = []
    with no_grad():
        thread = threading.Thread(target=lambda: seen.append(is_grad_enabled()))
        thread.start()
        thread.join()
    assert seen == [True]  # as PyTorch: the mode is not inherited by new threads


def test_gradcheck_works_inside_no_grad():
    """Issue 9, row 9: it blamed a correct gradient (the analytic pass recorded nothing)."""
    with no_grad():
        assert gradcheck(lambda a: a * a, Value(3.0))
        assert gradcheck(lambda t: (t * t).tanh(), Tensor(np.array([0.3, -1.2]),
                                                          requires_grad=True))
        assert not is_grad_enabled()


class _Worker:
    """A thread that runs the calls it is sent, one at a time, in the order the test chooses."""

    def __init__(self):
        self.inbox, self.outbox = queue.Queue(), queue.Queue()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        for call in iter(self.inbox.get, None):
            try:
                self.outbox.put((True, call()))
            except BaseException as error:  # handed back to the test's thread
                self.outbox.put((False, error))

    def __call__(self, call):
        self.inbox.put(call)
        ok, result = self.outbox.get(timeout=10)
        if not ok:
            raise result
        return result

    def stop(self):
        self.inbox.put(None)
        self.thread.join(10)


def records():
    """Whether this thread's operations record the graph, asked of both engines."""
    x, t = Value(2.0), Tensor([1.0, 2.0], requires_grad=True)
    value_recorded, tensor_recorded = bool((x * x).parents), (t * t).requires_grad
    assert value_recorded == tensor_recorded
    return value_recorded


def interleaved_no_grad_scenario():
    """Threads enter and leave no_grad() in interleaved orders; each checks its own results.

    Run in a fresh interpreter too: the mode is a thread-local (see graph._GradMode) whose
    class default is what a new thread starts with, and a mistake there shows up as a thread
    that records inside no_grad() or stops recording outside it.
    """
    assert records()                      # the very first operations of a program record
    for _ in range(3):                    # in and out of no_grad, again and again, one thread
        with no_grad():
            assert not records()
        assert records()
    a, b = _Worker(), _Worker()
    a_off, b_off = no_grad(), no_grad()
    try:
        a(a_off.__enter__)
        b(b_off.__enter__)                # two threads inside no_grad at once
        assert not a(records) and not b(records) and records()
        a(lambda: a_off.__exit__(None, None, None))  # the first in leaves first
        assert a(records) and not b(records) and records()
        with no_grad():                   # this thread joins b
            assert not records() and not b(records) and a(records)
        b(lambda: b_off.__exit__(None, None, None))
        assert a(records) and b(records) and records()
        b(b_off.__enter__)                # b again, then a, leaving in the opposite order
        a(a_off.__enter__)
        b(lambda: b_off.__exit__(None, None, None))
        assert not a(records) and b(records) and records()
        a(lambda: a_off.__exit__(None, None, None))
        assert a(records) and b(records) and records()
    finally:
        a.stop()
        b.stop()


def test_threads_entering_and_leaving_no_grad_in_any_order_each_see_their_own_mode():
    interleaved_no_grad_scenario()
    # Again in a fresh interpreter, where no no_grad() has run before this scenario's.
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(root), os.environ.get("PYTHONPATH", "")]), "OPENBLAS_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-c", "import test_grad_mode as t; t.interleaved_no_grad_scenario()"],
        cwd=Path(__file__).resolve().parent, env=env, capture_output=True, text=True,
        timeout=120)
    assert result.returncode == 0, result.stderr
