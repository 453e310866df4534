"""Writes the MoE golden files into tests/src/test/resources/golden/, computed by deepseek_moe.py
(beside this script) in float32 with PyTorch 1.13.

moe_v3_layer.safetensors, moe_v2_layer.safetensors, moe_v2_group_layer.safetensors: one DeepSeekMoE
layer each (configs in LAYERS below), on x [20, 12] standard normal:
    out  = the layer's output (shared + routed, no residual)      [20, 12]
    loss = sum(out * probe)                                        probe [20, 12] standard normal
Each file holds, int64 first (so they sit 8-byte aligned):
    topk_idx [20, K] I64    the chosen experts of each token, best choice score first, ties to the lower id
    tokens_per_expert [E] I64
    the layer's weights under their Hugging Face layer-relative names: gate.weight [E, 12],
    gate.e_score_correction_bias [E] (noaux_tc only), experts.{j}.{gate,up}_proj.weight [8, 12],
    experts.{j}.down_proj.weight [12, 8], shared_experts.{gate,up}_proj.weight [S*8, 12],
    shared_experts.down_proj.weight [12, S*8]
    x, probe, router_logits [20, E], topk_weight [20, K] (after normalisation and scaling), out, loss []
    grad.x and grad.<name> for every weight above but the bias (a buffer: no gradient); an expert no
    token chose has an all-zero gradient (the V3 and V2 files have some).
The V3 layer's bias is drawn from uniform(-1.2, 0.2), so that on some tokens a chosen expert has a
negative choice score s + b: there the -inf fill of the excluded groups matters (Hugging Face's 0.0
fill would pick an expert of an excluded group instead); the script asserts that such tokens exist.
The metadata holds the layer's Hugging Face config keys as JSON ("config") and the smallest routing
margin ("margin"): every token's K-th and (K+1)-th choice scores, and its topk_group-th and next
group scores, differ by more than MARGIN, so no float32 rounding difference can flip a choice.

moe_transformer/: a 2-layer DeepseekForCausalLM (layer 0 dense, layer 1 MoE) as a Hugging Face
checkpoint: config.json, model.safetensors (the full names: model.embed_tokens.weight,
model.layers.{i}.self_attn.q_proj.weight, ..., lm_head.weight) and expected.safetensors with
input_ids [2, 9] I64, routing.1.topk_idx [18, K] I64 (layer 1's choices, tokens batch-major) and
logits [2, 9, vocab].

Checks before writing (asserts): the sort-based dispatch equals the naive per-token loop (output
and every gradient); the shared experts equal the sum of their n_shared_experts experts of width
moe_intermediate_size; the router equals a per-token reference in plain Python, also on ties.

Run from the repository root with Debian's python3-torch (PyTorch 1.13):
    /usr/bin/python3 tests/golden/make_moe_golden.py
Re-running writes the same bytes. The test suite only reads the committed files.
"""
import json
import os

import torch

import safetensors_io  # beside this script
from deepseek_moe import DeepSeekMoE, DeepseekConfig, DeepseekForCausalLM, MoeConfig, SwiGLU, choice_scores, route

OUT = "tests/src/test/resources/golden/"
TOKENS, HIDDEN, WIDTH = 20, 12, 8
MARGIN = 1e-3  # far above float32 rounding of scores in [0, 1], far below their typical spacing

# name -> (seed, config); each seed is one whose routing keeps MARGIN with room to spare
LAYERS = {
    "moe_v3_layer": (10, MoeConfig(
        hidden_size=HIDDEN, moe_intermediate_size=WIDTH, n_routed_experts=16, num_experts_per_tok=4,
        n_shared_experts=1, n_group=4, topk_group=2, topk_method="noaux_tc", scoring_func="sigmoid",
        norm_topk_prob=True, routed_scaling_factor=2.5)),
    "moe_v2_layer": (17, MoeConfig(
        hidden_size=HIDDEN, moe_intermediate_size=WIDTH, n_routed_experts=16, num_experts_per_tok=3,
        n_shared_experts=2, topk_method="greedy", scoring_func="softmax", norm_topk_prob=False,
        routed_scaling_factor=16.0)),
    "moe_v2_group_layer": (7, MoeConfig(
        hidden_size=HIDDEN, moe_intermediate_size=WIDTH, n_routed_experts=16, num_experts_per_tok=3,
        n_shared_experts=2, n_group=4, topk_group=2, topk_method="group_limited_greedy",
        scoring_func="softmax", norm_topk_prob=False, routed_scaling_factor=16.0)),
}
BIAS_LOW, BIAS_HIGH = -1.2, 0.2  # noaux_tc layers: many choice scores s + b below 0

TRANSFORMER_SEED = 1
TRANSFORMER = {
    "architectures": ["DeepseekForCausalLM"],
    "model_type": "deepseek",
    "vocab_size": 32,
    "hidden_size": 16,
    "intermediate_size": 24,
    "moe_intermediate_size": 8,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_key_value_heads": 2,
    "n_routed_experts": 8,
    "n_shared_experts": 2,
    "num_experts_per_tok": 2,
    "topk_method": "greedy",
    "scoring_func": "softmax",
    "norm_topk_prob": False,
    "routed_scaling_factor": 1.0,
    "first_k_dense_replace": 1,
    "moe_layer_freq": 1,
    "aux_loss_alpha": 0.001,
    "seq_aux": True,
    "hidden_act": "silu",
    "attention_bias": False,
    "rope_theta": 1000.0,
    "rope_scaling": None,
    "rms_norm_eps": 1e-6,
    "max_position_embeddings": 64,
    "tie_word_embeddings": False,
    "torch_dtype": "float32",
}
BATCH, LENGTH = 2, 9

torch.set_num_threads(1)  # one fixed summation order, so re-running gives the same bytes


# ---- self-checks

def reference_route_token(scores, bias, config):
    """One token's (indices, weights) by the rules in deepseek_moe's docstring, in plain Python
    over the float32 scores, ties to the lower index through sort keys (-value, index)."""
    choice = scores if bias is None else (torch.tensor(scores) + torch.tensor(bias)).tolist()
    experts = range(config.n_routed_experts)
    if config.grouped:
        size = config.group_size
        group_scores = []
        for g in range(config.n_group):
            members = sorted(choice[g * size:(g + 1) * size], reverse=True)
            top = members[0] if config.topk_method == "group_limited_greedy" else members[0] + members[1]
            group_scores.append((-top, g))
        kept = {g for _, g in sorted(group_scores)[:config.topk_group]}
        experts = [e for e in experts if e // size in kept]
    chosen = [e for _, e in sorted((-choice[e], e) for e in experts)[:config.num_experts_per_tok]]
    weights = [scores[e] for e in chosen]
    if config.normalises:
        total = sum(weights) + 1e-20
        weights = [w / total for w in weights]
    return chosen, [w * config.routed_scaling_factor for w in weights]


def check_router(layer, x):
    config = layer.config
    bias = layer.gate.e_score_correction_bias
    indices, weights, logits = route(x, layer.gate.weight, bias, config)
    scores = logits.sigmoid() if config.scoring_func == "sigmoid" else logits.softmax(-1)
    for t in range(x.shape[0]):
        chosen, expected = reference_route_token(scores[t].tolist(), None if bias is None else bias.tolist(), config)
        assert indices[t].tolist() == chosen, "router differs from the reference at token %d" % t
        assert torch.allclose(weights[t].double(), torch.tensor(expected, dtype=torch.float64), rtol=1e-6, atol=0)
    # ties: an all-zero gate gives every expert the same score, so the lowest ids win (and groups)
    zero_gate = torch.zeros_like(layer.gate.weight)
    tie_indices = route(x[:3], zero_gate, None if bias is None else torch.zeros_like(bias), config)[0]
    assert tie_indices.tolist() == [list(range(config.num_experts_per_tok))] * 3, tie_indices


def check_negative_choices(gate, x):
    """Some token chose an expert whose choice score is below 0, which the -inf fill keeps and a
    0.0 fill would lose to an excluded group's expert."""
    indices, _, logits = gate(x)
    scores = logits.sigmoid() if gate.config.scoring_func == "sigmoid" else logits.softmax(-1)
    choice, _ = choice_scores(scores, gate.e_score_correction_bias, gate.config)
    assert (choice.gather(1, indices) < 0).any(), "no chosen expert has a negative choice score: pick another seed"


def check_dispatch(layer, x, probe):
    """Sort-based dispatch == per-token loop, output and gradients (the same weights)."""
    naive = DeepSeekMoE(layer.config, naive=True)
    naive.load_state_dict(layer.state_dict())
    results = []
    for module in (layer, naive):
        module.zero_grad(set_to_none=True)
        x_leaf = x.clone().requires_grad_(True)
        out = module(x_leaf)
        (out * probe).sum().backward()
        grads = [x_leaf.grad] + [p.grad.clone() if p.grad is not None else torch.zeros_like(p)
                                 for p in module.parameters()]
        results.append((out.detach(), grads))
    layer.zero_grad(set_to_none=True)
    (out_sorted, grads_sorted), (out_naive, grads_naive) = results
    assert torch.allclose(out_sorted, out_naive, rtol=1e-5, atol=1e-6), "sorted dispatch != naive loop"
    for a, b in zip(grads_sorted, grads_naive):
        assert torch.allclose(a, b, rtol=1e-5, atol=1e-6), "sorted dispatch gradient != naive loop"


def check_shared(shared, n_shared, width, x):
    """One SwiGLU of width n_shared * width == the sum of n_shared SwiGLUs of width width."""
    if shared is None:
        return
    total = torch.zeros(x.shape[0], x.shape[1])
    for j in range(n_shared):
        part = SwiGLU(x.shape[1], width)
        rows = slice(j * width, (j + 1) * width)
        part.gate_proj.weight.data = shared.gate_proj.weight.data[rows].clone()
        part.up_proj.weight.data = shared.up_proj.weight.data[rows].clone()
        part.down_proj.weight.data = shared.down_proj.weight.data[:, rows].clone()
        total = total + part(x)
    assert torch.allclose(shared(x), total, rtol=1e-5, atol=1e-6), "shared experts != sum of experts"


def check_margin(gate, hidden, what):
    margin = gate.margins(hidden).min().item()
    assert margin > MARGIN, "%s: routing margin %.2e <= %.0e, pick another seed" % (what, margin, MARGIN)
    return margin


# ---- the files

def hf_keys(config):
    return {name: getattr(config, name) for name in MoeConfig.__dataclass_fields__}


def write_layer(name, seed, config):
    torch.manual_seed(seed)
    layer = DeepSeekMoE(config)
    if config.has_bias:
        bias = BIAS_LOW + (BIAS_HIGH - BIAS_LOW) * torch.rand(config.n_routed_experts)
        layer.gate.e_score_correction_bias.copy_(bias)
    x = torch.randn(TOKENS, config.hidden_size)
    probe = torch.randn(TOKENS, config.hidden_size)
    margin = check_margin(layer.gate, x, name)
    check_router(layer, x)
    if config.has_bias:
        check_negative_choices(layer.gate, x)
    check_dispatch(layer, x, probe)
    check_shared(layer.shared_experts, config.n_shared_experts, config.moe_intermediate_size, x)

    x_leaf = x.clone().requires_grad_(True)
    out = layer(x_leaf)
    loss = (out * probe).sum()
    loss.backward()
    indices, weights, logits = layer.last_routing
    params = dict(layer.named_parameters())

    tensors = {"topk_idx": indices,
               "tokens_per_expert": torch.bincount(indices.reshape(-1), minlength=config.n_routed_experts)}
    tensors.update(layer.state_dict())
    tensors.update({"x": x, "probe": probe, "router_logits": logits, "topk_weight": weights,
                    "out": out, "loss": loss, "grad.x": x_leaf.grad})
    tensors.update({"grad." + n: p.grad if p.grad is not None else torch.zeros_like(p) for n, p in params.items()})
    metadata = {"producer": "tests/golden/make_moe_golden.py, torch " + torch.__version__,
                "config": json.dumps(hf_keys(config)), "margin": "%.3e" % margin}
    size = safetensors_io.write(OUT + name + ".safetensors", tensors, metadata)
    print("wrote %s.safetensors (%d bytes); loss %.7f, margin %.2e, tokens per expert %s"
          % (name, size, loss.item(), margin, tensors["tokens_per_expert"].tolist()))


def write_transformer():
    torch.manual_seed(TRANSFORMER_SEED)
    config = DeepseekConfig.from_hf(TRANSFORMER)
    model = DeepseekForCausalLM(config)
    with torch.no_grad():  # norm weights around 1, so that they matter
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1 + 0.1 * torch.randn_like(p))
    input_ids = torch.randint(0, config.vocab_size, (BATCH, LENGTH), dtype=torch.int64)

    moe = model.model.layers[1].mlp
    captured = []
    hook = moe.register_forward_pre_hook(lambda module, inputs: captured.append(inputs[0].detach()))
    with torch.no_grad():
        logits = model(input_ids)
    hook.remove()
    hidden = captured[0].reshape(-1, config.hidden_size)
    margin = check_margin(moe.gate, hidden, "moe_transformer layer 1")
    check_router(moe, hidden)
    check_dispatch(moe, hidden, torch.randn_like(hidden))
    check_shared(moe.shared_experts, config.moe.n_shared_experts, config.moe.moe_intermediate_size, hidden)

    directory = OUT + "moe_transformer/"
    os.makedirs(directory, exist_ok=True)
    with open(directory + "config.json", "w") as f:
        f.write(json.dumps(TRANSFORMER, indent=2) + "\n")
    producer = {"producer": "tests/golden/make_moe_golden.py, torch " + torch.__version__}
    model_size = safetensors_io.write(directory + "model.safetensors", model.state_dict(),
                                      dict(producer, format="pt"))
    expected = {"input_ids": input_ids, "routing.1.topk_idx": moe.last_routing[0], "logits": logits}
    expected_size = safetensors_io.write(directory + "expected.safetensors", expected,
                                         dict(producer, margin="%.3e" % margin))
    print("wrote moe_transformer/ (model %d bytes, expected %d bytes); margin %.2e"
          % (model_size, expected_size, margin))


for layer_name, (layer_seed, layer_config) in LAYERS.items():
    write_layer(layer_name, layer_seed, layer_config)
write_transformer()
