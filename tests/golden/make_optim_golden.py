"""Writes tests/src/test/resources/golden/optim.safetensors: two steps of AdamW and of Lion.

Both optimizers start from the same float32 parameter p0 [4, 5] (standard normal) and take two
steps with the given gradients g1 and g2 [4, 5] (standard normal), with weight decay, so the
second step shows AdamW's bias correction and Lion's momentum.

AdamW is torch.optim.AdamW (PyTorch 1.13, foreach=False, amsgrad=False) with lr ADAMW_LR,
betas ADAMW_BETAS, eps ADAMW_EPS, weight_decay ADAMW_WD. The file holds the parameter after each
step (adamw_p1, adamw_p2) and the moments after the second (adamw_exp_avg, adamw_exp_avg_sq).

PyTorch 1.13 has no Lion, so its update is written here from the paper (Chen et al. 2023,
"Symbolic Discovery of Optimization Algorithms", Algorithm 2, decoupled weight decay), in
float32, with m starting at zero:
    c = b1*m + (1-b1)*g
    p = p - lr*(sign(c) + wd*p)
    m = b2*m + (1-b2)*g
with lr LION_LR, betas LION_BETAS, weight decay LION_WD. The file holds lion_p1, lion_p2 and
lion_exp_avg (m after the second step). A sign is only well defined away from 0: the script
checks every |c| is at least 1e-3, so no rounding difference can flip one.

The file is written by safetensors_io.py, beside this script. Run from the repository root:
    /usr/bin/python3 tests/golden/make_optim_golden.py
The test suite (OptimizerGoldenTest) only reads the committed file.
"""
import torch

import safetensors_io  # beside this script

OUT = "tests/src/test/resources/golden/optim.safetensors"
SEED = 3
SHAPE = (4, 5)
ADAMW_LR, ADAMW_BETAS, ADAMW_EPS, ADAMW_WD = 0.01, (0.9, 0.999), 1e-8, 0.1
LION_LR, LION_BETAS, LION_WD = 0.003, (0.9, 0.99), 0.5

torch.manual_seed(SEED)
torch.set_num_threads(1)
p0 = torch.randn(*SHAPE)
g1 = torch.randn(*SHAPE)
g2 = torch.randn(*SHAPE)

# AdamW, by torch.optim.
p = p0.clone().requires_grad_(True)
adamw = torch.optim.AdamW([p], lr=ADAMW_LR, betas=ADAMW_BETAS, eps=ADAMW_EPS, weight_decay=ADAMW_WD,
                          foreach=False)
adamw_steps = []
for g in (g1, g2):
    p.grad = g.clone()
    adamw.step()
    adamw_steps.append(p.detach().clone())
adamw_state = adamw.state[p]

# Lion, by hand in float32.
b1, b2 = LION_BETAS
lion_p = p0.clone()
m = torch.zeros(SHAPE)
lion_steps = []
for g in (g1, g2):
    c = b1 * m + (1 - b1) * g
    assert c.abs().min() > 1e-3, "an interpolation is too close to 0 for its sign to be safe: pick another SEED"
    lion_p = lion_p - LION_LR * (torch.sign(c) + LION_WD * lion_p)
    m = b2 * m + (1 - b2) * g
    lion_steps.append(lion_p.clone())

tensors = {
    "p0": p0, "g1": g1, "g2": g2,
    "adamw_p1": adamw_steps[0], "adamw_p2": adamw_steps[1],
    "adamw_exp_avg": adamw_state["exp_avg"], "adamw_exp_avg_sq": adamw_state["exp_avg_sq"],
    "lion_p1": lion_steps[0], "lion_p2": lion_steps[1], "lion_exp_avg": m,
}
metadata = {
    "producer": "tests/golden/make_optim_golden.py, torch " + torch.__version__,
    "adamw_lr": repr(ADAMW_LR), "adamw_beta1": repr(ADAMW_BETAS[0]), "adamw_beta2": repr(ADAMW_BETAS[1]),
    "adamw_eps": repr(ADAMW_EPS), "adamw_weight_decay": repr(ADAMW_WD),
    "lion_lr": repr(LION_LR), "lion_beta1": repr(LION_BETAS[0]), "lion_beta2": repr(LION_BETAS[1]),
    "lion_weight_decay": repr(LION_WD),
}


size = safetensors_io.write(OUT, tensors, metadata)
print("wrote %s (%d bytes) with torch %s" % (OUT, size, torch.__version__))
