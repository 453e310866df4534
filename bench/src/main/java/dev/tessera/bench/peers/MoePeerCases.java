package dev.tessera.bench.peers;

import dev.tessera.autograd.Grad;
import dev.tessera.moe.DeepSeekMoE;
import dev.tessera.moe.MoeConfig;
import dev.tessera.moe.Routing;
import dev.tessera.nn.Linear;
import dev.tessera.nn.SwiGLU;
import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.MoePlan;
import dev.tessera.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The DeepSeekMoE layer against PyTorch's (tests/golden/deepseek_moe.py, sort-based dispatch): sigmoid
 * scores, noaux_tc with its correction bias, no groups, normalised top-k, a routed scaling factor.
 * The weights are the PyTorch module's state dict, one .npy per Hugging Face name in the case folder;
 * the layer's shape comes from the params {@code experts width shared topk scaling}.
 *
 * <p>Besides the layer, each case offers {@link PeerCase#parts}: a dense baseline (every expert,
 * routed and shared, on every token, summed) for the sparse efficiency, and for the forward the
 * layer's pieces one by one (router, plan, permute, the routed experts' grouped GEMMs, unpermute,
 * the shared expert), each on inputs taken from one real forward.
 */
final class MoePeerCases {
    private MoePeerCases() {}

    static PeerCase forward(Path dir, Map<String, String> params) throws IOException {
        Tensor x = PeerCases.read(dir, "x");
        DeepSeekMoE layer = layer(dir, x, params);
        return new PeerCases.Computed() {
            @Override
            Map<String, Tensor> compute() {
                try (var off = Grad.off()) {
                    Tensor y = layer.forward(x);
                    return PeerCases.named("y", y, "indices", layer.lastRoutes().indices());
                }
            }

            @Override
            public Map<String, Runnable> parts() {
                return forwardParts(layer, x);
            }
        };
    }

    static PeerCase forwardBackward(Path dir, Map<String, String> params) throws IOException {
        Tensor x = PeerCases.read(dir, "x");
        Tensor dy = PeerCases.read(dir, "dy");
        DeepSeekMoE layer = layer(dir, x, params);
        Tensor xLeaf = x.requiresGrad(true);
        return new PeerCases.Computed() {
            @Override
            Map<String, Tensor> compute() {
                Tensor y = layer.forward(xLeaf);
                y.backward(dy);
                Map<String, Tensor> out = PeerCases.named("y", y.detach(), "indices", layer.lastRoutes().indices(),
                        "dx", PeerCases.takeGrad(xLeaf));
                for (String name : GRADS_CHECKED) {
                    out.put("grad." + name, layer.namedParameters().get(name).grad());
                }
                layer.zeroGrad();
                return out;
            }

            @Override
            public Map<String, Runnable> parts() {
                Map<String, Runnable> parts = new LinkedHashMap<>();
                parts.put("layer", this::run);
                parts.put("dense", () -> {
                    Tensor leaf = x.requiresGrad(true);
                    dense(layer, leaf).backward(dy);
                    layer.zeroGrad();
                });
                return parts;
            }
        };
    }

    /** The parameter gradients compared with PyTorch's (all are computed; these cover each kind). */
    private static final List<String> GRADS_CHECKED = List.of("gate.weight", "experts.0.gate_proj.weight",
            "experts.0.down_proj.weight", "shared_experts.up_proj.weight");

    private static DeepSeekMoE layer(Path dir, Tensor x, Map<String, String> params) throws IOException {
        MoeConfig config = MoeConfig.builder()
                .hidden(x.size(1))
                .moeIntermediate(Long.parseLong(param(params, "width")))
                .routedExperts(Integer.parseInt(param(params, "experts")))
                .sharedExperts(Integer.parseInt(param(params, "shared")))
                .topK(Integer.parseInt(param(params, "topk")))
                .scoring(MoeConfig.ScoringFunc.SIGMOID)
                .topkMethod(MoeConfig.TopkMethod.NOAUX_TC)
                .normTopkProb(true)
                .routedScalingFactor(Double.parseDouble(param(params, "scaling")))
                .build();
        DeepSeekMoE layer = new DeepSeekMoE(config, new Generator(0));
        Map<String, Tensor> state = new HashMap<>();
        for (String name : layer.stateDict().keySet()) {
            state.put(name, PeerCases.read(dir, name));
        }
        layer.loadStateDict(state, true);
        return layer;
    }

    private static String param(Map<String, String> params, String key) {
        String value = params.get(key);
        if (value == null) {
            throw new IllegalArgumentException("peer server: the moe cases need " + key + "=<value>");
        }
        return value;
    }

    /** shared(x) + sum over every routed expert e of expert_e(x): the work the layer would do without routing. */
    private static Tensor dense(DeepSeekMoE layer, Tensor x) {
        Tensor y = layer.sharedExperts().forward(x);
        for (int e = 0; e < layer.config().nRoutedExperts(); e++) {
            y = y.add(layer.expert(e).forward(x));
        }
        return y;
    }

    /** The forward layer, its dense baseline, and its pieces, each without recording a graph. */
    private static Map<String, Runnable> forwardParts(DeepSeekMoE layer, Tensor x) {
        MoeConfig config = layer.config();
        int experts = config.nRoutedExperts();
        long capacity = config.capacity(x.size(0));
        Routing routing;
        MoePlan plan;
        Tensor rows;
        try (var off = Grad.off()) {
            routing = layer.router().route(x);
            plan = Fused.moePlan(routing.indices(), experts, capacity);
            rows = Fused.moePermute(x, plan);
        }
        List<Tensor> gate = weights(layer, SwiGLU::gateProj);
        List<Tensor> up = weights(layer, SwiGLU::upProj);
        List<Tensor> down = weights(layer, SwiGLU::downProj);
        Map<String, Runnable> parts = new LinkedHashMap<>();
        parts.put("layer", () -> layer.forward(x));
        parts.put("dense", () -> dense(layer, x));
        parts.put("router", () -> layer.router().route(x));
        parts.put("plan", () -> Fused.moePlan(routing.indices(), experts, capacity));
        parts.put("permute", () -> Fused.moePermute(x, plan));
        parts.put("experts", () -> Fused.groupedMatmul(Fused.groupedMatmul(rows, plan.counts(), gate).silu()
                .mul(Fused.groupedMatmul(rows, plan.counts(), up)), plan.counts(), down));
        // The expert outputs have the permuted rows' shape: the permuted inputs stand in for them.
        parts.put("unpermute", () -> Fused.moeUnpermute(rows, plan, routing.weights()));
        parts.put("shared", () -> layer.sharedExperts().forward(x));
        Map<String, Runnable> ungraded = new LinkedHashMap<>();
        parts.forEach((name, part) -> ungraded.put(name, () -> {
            try (var off = Grad.off()) {
                part.run();
            }
        }));
        return ungraded;
    }

    private static List<Tensor> weights(DeepSeekMoE layer, Function<SwiGLU, Linear> projection) {
        List<Tensor> out = new ArrayList<>();
        for (int e = 0; e < layer.config().nRoutedExperts(); e++) {
            out.add(projection.apply(layer.expert(e)).weight().value());
        }
        return out;
    }
}
