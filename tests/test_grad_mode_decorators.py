"""no_grad / enable_grad as decorators (API §2), as PyTorch 2.x: with or without
parentheses, and on a generator function covering its body at every resumption."""
import pytest

from tinygrad_edu import Tensor, Value, enable_grad, is_grad_enabled, no_grad


def test_no_grad_on_a_generator_covers_its_body_not_only_its_creation():
    @no_grad()
    def modes():
        yield is_grad_enabled()
        yield is_grad_enabled()

    seen_by_caller = []
    for mode in modes():
        seen_by_caller.append(is_grad_enabled())    # between yields: the caller's own mode
        assert mode is False
    assert seen_by_caller == [True, True] and is_grad_enabled()


def test_enable_grad_on_a_generator_records_inside_no_grad():
    x = Tensor([2.0], requires_grad=True)

    @enable_grad
    def squares():
        yield x * x

    with no_grad():
        (y,) = list(squares())
        assert not is_grad_enabled()
    assert y.requires_grad
    y.backward(Tensor([1.0]).data)
    assert x.grad.tolist() == [4.0]


def test_a_decorated_generator_passes_send_throw_close_and_its_return_value_through():
    log = []

    @no_grad
    def echo():
        try:
            received = yield "ready"
            while received != "stop":
                log.append((received, is_grad_enabled()))
                try:
                    received = yield received * 2
                except ValueError as error:
                    log.append(("thrown", str(error), is_grad_enabled()))
                    received = yield "caught"
            return "done"
        finally:
            log.append(("finally", is_grad_enabled()))

    g = echo()
    assert next(g) == "ready" and g.send(3) == 6
    assert g.throw(ValueError("boom")) == "caught"
    with pytest.raises(StopIteration) as stop:
        g.send("stop")
    assert stop.value.value == "done"
    assert log == [(3, False), ("thrown", "boom", False), ("finally", False)]

    closed = echo()
    next(closed)
    closed.close()                                   # GeneratorExit reaches the body
    assert log[-1] == ("finally", False) and is_grad_enabled()


def test_yield_from_a_decorated_generator_gets_its_return_value():
    @no_grad()
    def inner():
        yield 1
        return is_grad_enabled()

    def outer():
        result = yield from inner()
        yield result

    assert list(outer()) == [1, False]


def test_bare_decorators_work_as_in_pytorch():
    @no_grad
    def square(v):
        return v * v

    @enable_grad
    def cube(v):
        return v * v * v

    x = Value(3.0)
    assert square(x).parents == () and square.__name__ == "square"
    with no_grad():
        y = cube(x)
    assert y.parents != ()
    assert is_grad_enabled()


@pytest.mark.parametrize("factory, name", [(no_grad, "no_grad"), (enable_grad, "enable_grad")])
def test_an_argument_that_is_not_a_function_is_refused_saying_how_to_write_it(factory, name):
    with pytest.raises(TypeError, match=rf"{name} takes no arguments: write `with {name}\(\):`"):
        factory(False)


def test_behaves_as_pytorch_on_generators():
    torch = pytest.importorskip("torch")

    def probe(decorator, module_is_grad_enabled):
        @decorator
        def modes():
            yield module_is_grad_enabled()
        return list(modes())

    assert probe(no_grad(), is_grad_enabled) == probe(torch.no_grad(), torch.is_grad_enabled)
    assert probe(no_grad, is_grad_enabled) == probe(torch.no_grad, torch.is_grad_enabled)
