package dev.tessera.bench.gpu;

import dev.tessera.autograd.Grad;
import dev.tessera.bench.Verify;
import dev.tessera.moe.DeepSeekMoE;
import dev.tessera.moe.MoeConfig;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;

/**
 * The DeepSeekMoE layer of bench/peers (kernels.py MOE_CONFIG): hidden 512, 16 routed experts of
 * width 256, 2 shared, top-4, sigmoid scores, noaux_tc, normalised top-k, routed scaling 2.5, on
 * [T, 512] F32 tokens; forward (no graph) and forward plus backward through autograd. Work: the
 * router's 2 T H E plus, per token, K routed and the shared SwiGLU experts at 6 H W each; the
 * backward counted as twice the forward. Checked against the same layer (same seed) on the cpu
 * backend at {@link #CHECK_TOKENS} tokens: y, dx and a routed expert's weight gradient.
 */
final class MoeCases {
    static final int HIDDEN = 512;
    static final int WIDTH = 256;
    static final int EXPERTS = 16;
    static final int SHARED = 2;
    static final int TOP_K = 4;
    static final double SCALING = 2.5;
    static final int[] TOKENS = {1024, 4096, 16384};
    static final int[] QUICK_TOKENS = {32};
    static final int CHECK_TOKENS = 64;

    private MoeCases() {}

    static MoeConfig config() {
        return MoeConfig.builder().hidden(HIDDEN).moeIntermediate(WIDTH).routedExperts(EXPERTS)
                .sharedExperts(SHARED).topK(TOP_K).scoring(MoeConfig.ScoringFunc.SIGMOID)
                .topkMethod(MoeConfig.TopkMethod.NOAUX_TC).normTopkProb(true).routedScalingFactor(SCALING).build();
    }

    static void run(CaseRunner runner, boolean quick) {
        for (int tokens : quick ? QUICK_TOKENS : TOKENS) {
            double forward = (2.0 * tokens * HIDDEN * EXPERTS + tokens * (TOP_K + SHARED) * 6.0 * HIDDEN * WIDTH) / 1e9;
            String size = tokens + " tokens";
            runner.run("moe.forward", size, forward, () -> prepare(runner.device(), tokens, false));
            runner.run("moe.forward_backward", size, 3 * forward, () -> prepare(runner.device(), tokens, true));
        }
    }

    private static DeepSeekMoE layer(Device device) {
        DeepSeekMoE layer = new DeepSeekMoE(config(), new Generator(0));
        layer.to(device);
        return layer;
    }

    private static CaseRunner.Prepared prepare(Device device, int tokens, boolean backward) {
        DeepSeekMoE layer = layer(device);
        Generator g = new Generator(11 + tokens);
        Tensor x = Tensor.randn(g, tokens, HIDDEN).to(device);
        Tensor dy = Tensor.randn(g, tokens, HIDDEN).to(device);
        Runnable call;
        if (backward) {
            Tensor leaf = x.detach().requiresGrad(true);
            call = () -> {
                layer.forward(leaf).backward(dy);
                leaf.zeroGrad();
                layer.zeroGrad();
            };
        } else {
            call = () -> {
                try (var off = Grad.off()) {
                    layer.forward(x);
                }
            };
        }
        return new CaseRunner.Prepared(() -> check(device, backward), call);
    }

    private static void check(Device device, boolean backward) {
        Tensor x = Tensor.randn(new Generator(3), CHECK_TOKENS, HIDDEN);
        Tensor dy = Tensor.randn(new Generator(4), CHECK_TOKENS, HIDDEN);
        Tensor[] want = outputs(layer(Device.cpu()), x, dy, backward);
        Tensor[] got = outputs(layer(device), x.to(device), dy.to(device), backward);
        String[] names = {"y", "dx", "grad experts.0.down_proj.weight"};
        for (int i = 0; i < want.length; i++) {
            Verify.close("moe " + names[i] + " vs cpu", got[i], want[i], 1e-4, 1e-3);
        }
    }

    private static Tensor[] outputs(DeepSeekMoE layer, Tensor x, Tensor dy, boolean backward) {
        if (!backward) {
            try (var off = Grad.off()) {
                return new Tensor[] {layer.forward(x)};
            }
        }
        Tensor leaf = x.detach().requiresGrad(true);
        Tensor y = layer.forward(leaf);
        y.backward(dy);
        return new Tensor[] {y.detach(), leaf.grad(), layer.expert(0).downProj().weight().grad()};
    }
}
