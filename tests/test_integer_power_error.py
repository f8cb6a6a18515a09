"""``T([2]) ** -1``: PyTorch's rule (integers to negative integer powers are not allowed),
said with what to write instead, and no unrelated broadcasting hint."""
import numpy as np
import pytest

from tinygrad_edu import Tensor


@pytest.mark.parametrize("compute, power", [
    (lambda: Tensor([2]) ** -1, -1),
    (lambda: 2 ** Tensor([3, -2]), -2),
    (lambda: Tensor([[2, 3]]) ** Tensor([[1], [-3]]), -3),
])
def test_integer_tensors_to_negative_integer_powers_are_refused_saying_what_to_write(compute,
                                                                                     power):
    with pytest.raises(RuntimeError) as info:
        compute()
    message = str(info.value)
    assert message.startswith("Integers to negative integer powers are not allowed")
    assert f"x.float() ** {power}" in message and "Broadcasting" not in message


def test_floats_or_a_float_exponent_are_fine_as_in_pytorch():
    assert (Tensor([2.0]) ** -1).data.tolist() == [0.5]
    assert (Tensor([2]) ** -1.0).data.tolist() == [0.5]
    assert (Tensor([2]) ** 3).data.tolist() == [8] and (Tensor([2]) ** 3).dtype == np.int64


def test_pytorch_refuses_the_same_calls():
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError, match="Integers to negative integer powers"):
        torch.tensor([2]) ** -1


def test_the_message_names_the_first_negative_exponent_not_a_zero_or_one_before_it():
    with pytest.raises(RuntimeError, match=r"to the power -2 has no integer result"):
        Tensor([2, 3, 4]) ** Tensor([0, 1, -2])
