"""Writes tests/src/test/resources/golden/mlp.safetensors: a 2-layer MLP computed by PyTorch.

The model, exactly (float32 throughout):
    x        [16, 12]   standard normal
    W1       [32, 12]   uniform(-1/sqrt(12), 1/sqrt(12)),  b1 [32] likewise (nn.Linear's init)
    W2       [5, 32]    uniform(-1/sqrt(32), 1/sqrt(32)),  b2 [5]  likewise
    targets  [16]       int64 classes in [0, 5)
    logits = relu(x @ W1.T + b1) @ W2.T + b2                  [16, 5]
    loss   = cross_entropy(logits, targets), mean over the batch
The file holds those inputs, logits, loss and the gradients of the loss with respect to W1, b1,
W2, b2 and x (dW1 ... dx). Then ten steps of plain SGD, w <- w - LR * dw on W1, b1, W2, b2 (x
stays fixed), starting from the same weights: sgd_losses[k] is the loss computed at step k,
before that step's update, so sgd_losses[0] == loss.

The file is written by safetensors_io.py, beside this script.
Run from the repository root with Debian's python3-torch (PyTorch 1.13):
    /usr/bin/python3 tests/golden/make_mlp_golden.py
The test suite (MlpGoldenTest) only reads the committed file.
"""
import torch
import torch.nn.functional as F

import safetensors_io  # beside this script

OUT = "tests/src/test/resources/golden/mlp.safetensors"
SEED = 2  # the first seed whose pre-activations all keep 1e-4 away from 0 (see forward)
LR = 0.5
SGD_STEPS = 10
BATCH, IN, HIDDEN, CLASSES = 16, 12, 32, 5

torch.manual_seed(SEED)
torch.set_num_threads(1)  # one fixed summation order, so re-running gives the same bytes


def uniform(bound, *shape):
    return (torch.rand(*shape) * 2 - 1) * bound


x = torch.randn(BATCH, IN)
W1 = uniform(IN ** -0.5, HIDDEN, IN)
b1 = uniform(IN ** -0.5, HIDDEN)
W2 = uniform(HIDDEN ** -0.5, CLASSES, HIDDEN)
b2 = uniform(HIDDEN ** -0.5, CLASSES)
targets = torch.randint(0, CLASSES, (BATCH,), dtype=torch.int64)


def forward(x, W1, b1, W2, b2):
    pre = x @ W1.T + b1
    # A fair golden file has no hidden unit on relu's kink, where a rounding difference between
    # two float32 implementations would flip the mask; checked at every SGD step too.
    assert pre.abs().min() > 1e-4, "a pre-activation is too close to 0: pick another SEED"
    logits = torch.relu(pre) @ W2.T + b2
    return logits, F.cross_entropy(logits, targets, reduction="mean")


params = [p.clone().requires_grad_(True) for p in (W1, b1, W2, b2)]
x_leaf = x.clone().requires_grad_(True)
logits, loss = forward(x_leaf, *params)
loss.backward()
dW1, db1, dW2, db2 = (p.grad for p in params)
dx = x_leaf.grad

# Ten SGD steps on fresh copies of the same starting weights.
weights = [p.clone() for p in (W1, b1, W2, b2)]
sgd_losses = []
for _ in range(SGD_STEPS):
    leaves = [w.requires_grad_(True) for w in weights]
    _, step_loss = forward(x, *leaves)
    step_loss.backward()
    sgd_losses.append(step_loss.item())
    with torch.no_grad():
        weights = [w - LR * w.grad for w in leaves]
sgd_losses = torch.tensor(sgd_losses, dtype=torch.float32)

tensors = {  # targets first: the int64 data then sits 8-byte aligned, as a view can map it
    "targets": targets, "x": x, "W1": W1, "b1": b1, "W2": W2, "b2": b2,
    "logits": logits, "loss": loss,
    "dW1": dW1, "db1": db1, "dW2": dW2, "db2": db2, "dx": dx,
    "sgd_losses": sgd_losses,
}
metadata = {
    "producer": "tests/golden/make_mlp_golden.py, torch " + torch.__version__,
    "model": "logits = relu(x @ W1.T + b1) @ W2.T + b2; loss = cross_entropy(logits, targets), mean",
    "sgd_lr": repr(LR),
    "sgd_steps": str(SGD_STEPS),
}

size = safetensors_io.write(OUT, tensors, metadata)
print("wrote %s (%d bytes) with torch %s" % (OUT, size, torch.__version__))
print("loss %.7f; sgd losses %s" % (loss.item(), " ".join("%.5f" % v for v in sgd_losses.tolist())))
