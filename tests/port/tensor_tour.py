"""A first tour of tensors: making them, their attributes, a device, joining, the three
ways to multiply, reductions, and the NumPy bridge (from_numpy shares memory)."""
import numpy as np
import torch

torch.set_default_dtype(torch.float64)

data = [[1, 2], [3, 4]]
x_data = torch.tensor(data)
np_array = np.array(data)
x_np = torch.from_numpy(np_array)

x_ones = torch.ones_like(x_data)
x_rand = torch.rand_like(x_data, dtype=torch.float)
print(f"Ones Tensor: \n {x_ones} \n")

shape = (2, 3,)
rand_tensor = torch.rand(shape)
ones_tensor = torch.ones(shape)
zeros_tensor = torch.zeros(shape)
filled = torch.full((2, 2), 7.5)
identity = torch.eye(3)

tensor = torch.tensor(np.arange(12.0).reshape(3, 4) / 4 - 1)
print(f"Shape of tensor: {tensor.shape}")
print(f"Datatype of tensor: {tensor.dtype}")
print(f"Device tensor is stored on: {tensor.device}")

if torch.accelerator.is_available():
    tensor = tensor.to(torch.accelerator.current_accelerator())
device = "cuda" if torch.cuda.is_available() else "cpu"
tensor = tensor.to(device)

print(f"First row: {tensor[0]}")
print(f"Last column: {tensor[..., -1]}")
t1 = torch.cat([tensor, tensor, tensor], dim=1)

y1 = tensor @ tensor.T
y2 = tensor.matmul(tensor.T)
y3 = torch.rand_like(y1)
torch.matmul(tensor, tensor.T, out=y3)

z1 = tensor * tensor
z2 = tensor.mul(tensor)
z3 = torch.rand_like(tensor)
torch.mul(tensor, tensor, out=z3)

agg = tensor.sum()
agg_item = agg.item()
print(agg_item, type(agg_item))
mean_of_rows = torch.mean(tensor, dim=1)
biggest, where_biggest = torch.max(tensor, 1)

n = np.ones(5)
t = torch.from_numpy(n)
np.add(n, 1, out=n)
print(f"t: {t}")
print(f"n: {n}")
back = t.numpy()
as_float32 = tensor.type(torch.float32)

RESULTS = {
    "x_data": x_data.tolist(), "x_np": x_np.tolist(), "x_ones": x_ones.tolist(),
    "rand_dtype_is_float32": x_rand.dtype == torch.float32,
    "rand_in_unit_interval": rand_tensor.min().item() >= 0 and rand_tensor.max().item() < 1,
    "shapes": [list(rand_tensor.shape), list(ones_tensor.shape), list(zeros_tensor.shape)],
    "filled": filled.tolist(), "identity": identity.tolist(),
    "on_cpu": str(tensor.device) == "cpu", "t1_shape": list(t1.shape),
    "y": [y1.tolist(), y2.tolist(), y3.tolist()], "z": [z1.tolist(), z2.tolist(), z3.tolist()],
    "agg_item": agg_item, "mean_of_rows": mean_of_rows.tolist(),
    "biggest": biggest.tolist(), "where_biggest": where_biggest.tolist(),
    "bridge": t.tolist(), "bridge_back": back.tolist(),
    "as_float32": as_float32.tolist(), "as_float32_dtype": str(as_float32.dtype).endswith("float32"),
}

if __name__ == "__main__":
    print(RESULTS)
