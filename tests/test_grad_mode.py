"""Grad mode (``no_grad`` / ``enable_grad``): re-entrant, exception-safe and per thread (§2)."""
import threading

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
