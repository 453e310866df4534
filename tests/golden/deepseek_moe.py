"""The DeepSeekMoE layer and the DeepseekForCausalLM transformer in plain PyTorch (1.13), the
reference the MoE golden files (make_moe_golden.py) and the PyTorch benchmark peer are built on.
Module and parameter names are those of Hugging Face DeepSeek checkpoints, so state_dict() gives
the on-disk keys (gate.weight, experts.0.gate_proj.weight, model.layers.1.mlp.gate.weight ...).

Routing, per token u [H] with gate weight W_g [E, H] (computed in float32 whatever the dtype of u):
    logits  l = W_g u;  scores s = sigmoid(l) or softmax(l) (scoring_func)
    choice  c = s + e_score_correction_bias (noaux_tc only: the bias exists only then), else c = s
    groups  when n_group > 1 (group_limited_greedy or noaux_tc): the experts split into n_group
            groups of consecutive ids; a group's score is the sum of its two largest c (noaux_tc)
            or its largest s (group_limited_greedy); the topk_group best groups stay and every
            expert of another group gets c = -inf. greedy has no groups (n_group > 1 is refused).
    top-k   the num_experts_per_tok largest c, largest first; equal values go to the lower index
            (groups too): torch.topk promises no order among ties, so this is a stable sort.
    weights w_k = s[idx_k] (unbiased), divided by (sum_k w_k + 1e-20) iff scoring_func is sigmoid
            or norm_topk_prob, then times routed_scaling_factor.
The choice (bias, groups, top-k) runs under no_grad: gradients reach W_g and u only through w.

The layer: out = sum_k w_k * expert_{idx_k}(u) + shared_experts(u), every expert a bias-free
SwiGLU down(silu(gate(u)) * up(u)) of width moe_intermediate_size, the shared experts one SwiGLU
of width n_shared_experts * moe_intermediate_size. No residual: the decoder layer adds it.
The routed sum uses the sort-based dispatch (plan, permute, expert_ffn, unpermute below); the
naive per-token loop stays beside it as the reference the golden script checks it against.

The transformer (DeepseekForCausalLM, the DeepSeekMoE-16B layout): embed_tokens; per layer
    h   = x + o_proj(attention(rope(q_proj n), rope(k_proj n), v_proj n)),  n = input_layernorm(x)
    out = h + mlp(post_attention_layernorm(h))
with grouped-query causal attention (num_key_value_heads, query head i reads kv head
i // (heads / kv_heads), scale 1/sqrt(head_dim), head_dim = hidden_size / num_attention_heads),
rotate-half RoPE with rope_theta at positions 0..T-1 (angles in float64, then cast), RMSNorm
x * rsqrt(mean(x^2) + rms_norm_eps) * weight; mlp is a dense SwiGLU of width intermediate_size
for layers below first_k_dense_replace (or off the moe_layer_freq beat), the MoE layer otherwise;
then the final norm and lm_head (embed_tokens' weight when tie_word_embeddings).
"""
import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

NORM_EPS = 1e-20  # added to the top-k sum when the weights are normalised (HF-V3, Megatron)
TOPK_METHODS = ("greedy", "group_limited_greedy", "noaux_tc")
SCORING_FUNCS = ("softmax", "sigmoid")


@dataclass(frozen=True)
class MoeConfig:
    """The MoE layer's Hugging Face config keys, with the defaults of DeepSeekMoE-16B."""
    hidden_size: int
    moe_intermediate_size: int
    n_routed_experts: int
    num_experts_per_tok: int
    n_shared_experts: int = 0
    n_group: int = 1
    topk_group: int = 1
    topk_method: str = "greedy"
    scoring_func: str = "softmax"
    norm_topk_prob: bool = False
    routed_scaling_factor: float = 1.0

    def __post_init__(self):
        if self.topk_method not in TOPK_METHODS:
            raise ValueError("topk_method %r is not one of %s" % (self.topk_method, TOPK_METHODS))
        if self.scoring_func not in SCORING_FUNCS:
            raise ValueError("scoring_func %r is not one of %s" % (self.scoring_func, SCORING_FUNCS))
        if self.n_routed_experts % self.n_group:
            raise ValueError("n_group %d does not divide n_routed_experts %d" % (self.n_group, self.n_routed_experts))
        if not 1 <= self.topk_group <= self.n_group:
            raise ValueError("topk_group %d is not in [1, n_group %d]" % (self.topk_group, self.n_group))
        if self.topk_method == "greedy" and self.n_group > 1:
            raise ValueError("topk_method greedy ignores groups, yet n_group is %d" % self.n_group)
        if self.topk_method == "noaux_tc" and self.n_group > 1 and self.group_size < 2:
            raise ValueError("noaux_tc sums the two best scores of a group, yet a group has %d expert" % self.group_size)
        allowed = self.topk_group * self.group_size if self.grouped else self.n_routed_experts
        if not 1 <= self.num_experts_per_tok <= allowed:
            raise ValueError("num_experts_per_tok %d is not in [1, %d], the experts n_routed_experts %d, n_group %d"
                             " and topk_group %d allow" % (self.num_experts_per_tok, allowed, self.n_routed_experts,
                                                          self.n_group, self.topk_group))

    @property
    def group_size(self):
        return self.n_routed_experts // self.n_group

    @property
    def grouped(self):
        return self.n_group > 1

    @property
    def has_bias(self):
        """Hugging Face registers e_score_correction_bias exactly for noaux_tc."""
        return self.topk_method == "noaux_tc"

    @property
    def normalises(self):
        return self.scoring_func == "sigmoid" or self.norm_topk_prob

    @staticmethod
    def from_hf(config):
        """From a config.json dict; absent or null keys take the defaults above."""
        keys = {k: config[k] for k in MoeConfig.__dataclass_fields__ if config.get(k) is not None}
        return MoeConfig(**keys)


def stable_topk(values, k):
    """The k largest entries along the last dim and their indices, largest first, equal values in
    ascending index order (torch.topk promises no order among ties; a stable sort does)."""
    order = torch.sort(values, dim=-1, descending=True, stable=True).indices[..., :k]
    return values.gather(-1, order), order


def choice_scores(scores, bias, config):
    """The scores top-k selects on: scores + bias, with every expert outside the topk_group best
    groups set to -inf. Returns them and the group scores (None without groups)."""
    choice = scores if bias is None else scores + bias
    if not config.grouped:
        return choice, None
    tokens = choice.shape[0]
    by_group = choice.view(tokens, config.n_group, config.group_size)
    if config.topk_method == "noaux_tc":
        group_scores = stable_topk(by_group, 2)[0].sum(dim=-1)
    else:
        group_scores = by_group.max(dim=-1).values
    kept = stable_topk(group_scores, config.topk_group)[1]
    keep = torch.zeros(tokens, config.n_group, dtype=torch.bool, device=choice.device).scatter(1, kept, True)
    keep = keep.repeat_interleave(config.group_size, dim=1)
    return choice.masked_fill(~keep, float("-inf")), group_scores


def route(hidden, gate_weight, bias, config):
    """Routes the tokens hidden [T, H]: returns the chosen experts [T, K] (int64, best first),
    their weights [T, K] and the router logits [T, E], all float32."""
    logits = F.linear(hidden.float(), gate_weight.float())
    scores = logits.sigmoid() if config.scoring_func == "sigmoid" else logits.softmax(dim=-1)
    with torch.no_grad():
        choice, _ = choice_scores(scores, bias, config)
        indices = stable_topk(choice, config.num_experts_per_tok)[1]
    weights = scores.gather(1, indices)
    if config.normalises:
        weights = weights / (weights.sum(dim=-1, keepdim=True) + NORM_EPS)
    return indices, weights * config.routed_scaling_factor, logits


def routing_margins(hidden, gate_weight, bias, config):
    """Per token, the smallest gap a rounding error would have to close to change the routing:
    between the topk_group-th and the next group score, and between the K-th and the (K+1)-th
    choice score after masking (inf where there is no such pair)."""
    with torch.no_grad():
        logits = F.linear(hidden.float(), gate_weight.float())
        scores = logits.sigmoid() if config.scoring_func == "sigmoid" else logits.softmax(dim=-1)
        choice, group_scores = choice_scores(scores, bias, config)
        margin = gap_after(choice, config.num_experts_per_tok)
        if group_scores is not None:
            margin = torch.minimum(margin, gap_after(group_scores, config.topk_group))
        return margin


def gap_after(values, k):
    """values [T, n] -> [T]: the k-th largest minus the (k+1)-th (inf when k == n)."""
    if k == values.shape[1]:
        return torch.full((values.shape[0],), float("inf"))
    ordered = torch.sort(values, dim=-1, descending=True).values
    return ordered[:, k - 1] - ordered[:, k]


# ---- the sort-based dispatch (REFERENCE §3.1), one small function per step so a benchmark can time each

def plan(indices, num_experts):
    """A stable sort of the T*K assignments a = t*K + k by expert: order [T*K] (row p of the
    permuted buffer holds assignment order[p]; token order within an expert) and counts [E]."""
    flat = indices.reshape(-1)
    order = torch.sort(flat, stable=True).indices
    return order, torch.bincount(flat, minlength=num_experts)


def permute(x, order, top_k):
    """x [T, H] -> [T*K, H]: row p = x[order[p] // K]."""
    return x.index_select(0, order // top_k)


def expert_ffn(xp, counts, experts):
    """Each expert on its contiguous slice of the permuted rows; an expert with no rows costs nothing."""
    outputs, start = [], 0
    for expert, rows in zip(experts, counts.tolist()):
        if rows:
            outputs.append(expert(xp[start:start + rows]))
            start += rows
    return torch.cat(outputs) if outputs else xp.new_zeros(0, xp.shape[1])


def unpermute(yp, order, weights, tokens):
    """y[t] = sum_k weights[t, k] * yp[row of (t, k)], by a weighted index_add into float32."""
    top_k = weights.shape[1]
    contributions = yp.float() * weights.reshape(-1)[order].unsqueeze(1)
    combined = torch.zeros(tokens, yp.shape[1], dtype=torch.float32, device=yp.device)
    return combined.index_add(0, order // top_k, contributions).to(yp.dtype)


def sorted_dispatch(x, indices, weights, experts):
    order, counts = plan(indices, len(experts))
    yp = expert_ffn(permute(x, order, indices.shape[1]), counts, experts)
    return unpermute(yp, order, weights, x.shape[0])


def naive_dispatch(x, indices, weights, experts):
    """The same sum, one token and one slot at a time: the reference for sorted_dispatch."""
    rows = []
    for t in range(x.shape[0]):
        row = torch.zeros(x.shape[1], dtype=torch.float32)
        for k in range(indices.shape[1]):
            row = row + weights[t, k] * experts[int(indices[t, k])](x[t:t + 1])[0].float()
        rows.append(row.to(x.dtype))
    return torch.stack(rows) if rows else x.new_zeros(0, x.shape[1])


# ---- modules with the Hugging Face names

def init_linear_weight(weight):
    nn.init.kaiming_uniform_(weight, a=math.sqrt(5))  # nn.Linear's own init: uniform(+-1/sqrt(in))


class SwiGLU(nn.Module):
    """down_proj(silu(gate_proj(x)) * up_proj(x)), no biases: a routed, shared or dense expert."""

    def __init__(self, hidden_size, intermediate_size):
        super().__init__()
        self.gate_proj = nn.Linear(hidden_size, intermediate_size, bias=False)
        self.up_proj = nn.Linear(hidden_size, intermediate_size, bias=False)
        self.down_proj = nn.Linear(intermediate_size, hidden_size, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Gate(nn.Module):
    """The router: weight [E, H] and, for noaux_tc, the e_score_correction_bias buffer [E]."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.weight = nn.Parameter(torch.empty(config.n_routed_experts, config.hidden_size))
        init_linear_weight(self.weight)
        bias = torch.zeros(config.n_routed_experts) if config.has_bias else None
        self.register_buffer("e_score_correction_bias", bias)

    def forward(self, hidden):
        return route(hidden, self.weight, self.e_score_correction_bias, self.config)

    def margins(self, hidden):
        return routing_margins(hidden, self.weight, self.e_score_correction_bias, self.config)


class DeepSeekMoE(nn.Module):
    """The MoE layer on [..., H]. After each forward, last_routing = (indices [T, K], weights [T, K],
    logits [T, E]) of the flattened tokens."""

    def __init__(self, config, naive=False):
        super().__init__()
        self.config = config
        self.naive = naive  # dispatch by the per-token loop instead of the sort
        self.gate = Gate(config)
        self.experts = nn.ModuleList(SwiGLU(config.hidden_size, config.moe_intermediate_size)
                                     for _ in range(config.n_routed_experts))
        shared_width = config.n_shared_experts * config.moe_intermediate_size
        self.shared_experts = SwiGLU(config.hidden_size, shared_width) if shared_width else None
        self.last_routing = None

    def forward(self, x):
        tokens = x.reshape(-1, x.shape[-1])
        indices, weights, logits = self.gate(tokens)
        self.last_routing = (indices, weights, logits)
        dispatch = naive_dispatch if self.naive else sorted_dispatch
        out = dispatch(tokens, indices, weights, self.experts)
        if self.shared_experts is not None:
            out = out + self.shared_experts(tokens)
        return out.view(x.shape)


@dataclass(frozen=True)
class DeepseekConfig:
    """The DeepseekForCausalLM keys the transformer reads (HF DeepseekConfig's defaults)."""
    vocab_size: int
    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    moe: MoeConfig  # None without n_routed_experts: every layer dense
    first_k_dense_replace: int = 0
    moe_layer_freq: int = 1
    rope_theta: float = 10000.0
    rms_norm_eps: float = 1e-6
    tie_word_embeddings: bool = False

    @property
    def head_dim(self):
        return self.hidden_size // self.num_attention_heads

    def is_moe_layer(self, index):
        return self.moe is not None and index >= self.first_k_dense_replace and index % self.moe_layer_freq == 0

    @staticmethod
    def from_hf(config):
        moe = MoeConfig.from_hf(config) if config.get("n_routed_experts") is not None else None
        keys = {k: config[k] for k in DeepseekConfig.__dataclass_fields__ if k != "moe" and config.get(k) is not None}
        keys.setdefault("num_key_value_heads", config["num_attention_heads"])
        return DeepseekConfig(moe=moe, **keys)


class RMSNorm(nn.Module):
    def __init__(self, size, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(size))
        self.eps = eps

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps))


def rotate_half(t):
    half = t.shape[-1] // 2
    return torch.cat((-t[..., half:], t[..., :half]), dim=-1)


def rope(t, theta):
    """t [B, heads, T, head_dim] rotated at positions 0..T-1, rotate-half layout."""
    head_dim, length = t.shape[-1], t.shape[-2]
    inv_freq = 1.0 / (theta ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim))
    angles = torch.arange(length, dtype=torch.float64)[:, None] * inv_freq[None, :]
    angles = torch.cat((angles, angles), dim=-1)
    return t * angles.cos().to(t.dtype) + rotate_half(t) * angles.sin().to(t.dtype)


class Attention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        heads, kv_heads, head_dim = config.num_attention_heads, config.num_key_value_heads, config.head_dim
        self.q_proj = nn.Linear(config.hidden_size, heads * head_dim, bias=False)
        self.k_proj = nn.Linear(config.hidden_size, kv_heads * head_dim, bias=False)
        self.v_proj = nn.Linear(config.hidden_size, kv_heads * head_dim, bias=False)
        self.o_proj = nn.Linear(heads * head_dim, config.hidden_size, bias=False)

    def forward(self, x):
        c = self.config
        batch, length, _ = x.shape

        def split(t, count):
            return t.view(batch, length, count, c.head_dim).transpose(1, 2)

        group = c.num_attention_heads // c.num_key_value_heads
        q = rope(split(self.q_proj(x), c.num_attention_heads), c.rope_theta)
        k = rope(split(self.k_proj(x), c.num_key_value_heads), c.rope_theta).repeat_interleave(group, dim=1)
        v = split(self.v_proj(x), c.num_key_value_heads).repeat_interleave(group, dim=1)
        scores = q @ k.transpose(-1, -2) / math.sqrt(c.head_dim)
        causal = torch.ones(length, length, dtype=torch.bool).tril()
        attended = scores.masked_fill(~causal, float("-inf")).softmax(-1) @ v
        return self.o_proj(attended.transpose(1, 2).reshape(batch, length, -1))


class DecoderLayer(nn.Module):
    def __init__(self, config, index):
        super().__init__()
        self.input_layernorm = RMSNorm(config.hidden_size, config.rms_norm_eps)
        self.self_attn = Attention(config)
        self.post_attention_layernorm = RMSNorm(config.hidden_size, config.rms_norm_eps)
        self.mlp = (DeepSeekMoE(config.moe) if config.is_moe_layer(index)
                    else SwiGLU(config.hidden_size, config.intermediate_size))

    def forward(self, x):
        h = x + self.self_attn(self.input_layernorm(x))
        return h + self.mlp(self.post_attention_layernorm(h))


class DeepseekModel(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.embed_tokens = nn.Embedding(config.vocab_size, config.hidden_size)
        self.layers = nn.ModuleList(DecoderLayer(config, i) for i in range(config.num_hidden_layers))
        self.norm = RMSNorm(config.hidden_size, config.rms_norm_eps)

    def forward(self, input_ids):
        x = self.embed_tokens(input_ids)
        for layer in self.layers:
            x = layer(x)
        return self.norm(x)


class DeepseekForCausalLM(nn.Module):
    """input_ids [B, T] -> logits [B, T, vocab]; lm_head.weight is absent when tied."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.model = DeepseekModel(config)
        self.lm_head = None if config.tie_word_embeddings else nn.Linear(config.hidden_size, config.vocab_size, bias=False)

    def forward(self, input_ids):
        hidden = self.model(input_ids)
        head = self.model.embed_tokens.weight if self.lm_head is None else self.lm_head.weight
        return F.linear(hidden, head)
