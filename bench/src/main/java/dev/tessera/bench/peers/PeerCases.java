package dev.tessera.bench.peers;

import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.io.Npy;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The kernels the driver compares, built from the .npy inputs it wrote into a folder. Each reads the
 * same files and returns the same named outputs as its PyTorch peer in {@code bench/peers/kernels.py}.
 * Forward-and-backward cases go through autograd, as a PyTorch user's {@code backward()} does.
 */
final class PeerCases {
    private PeerCases() {}

    /** The case named {@code kernel} ("copy", "rms_norm.forward", ...), with its inputs read from {@code dir}. */
    static PeerCase create(String kernel, Path dir, Map<String, String> params) throws IOException {
        return switch (kernel) {
            case "copy" -> copy(Npy.read(dir.resolve("src.npy")));
            case "rms_norm.forward" -> rmsNormForward(read(dir, "x"), read(dir, "w"), eps(params));
            case "rms_norm.forward_backward" ->
                    rmsNormForwardBackward(read(dir, "x"), read(dir, "w"), read(dir, "dy"), eps(params));
            case "attention.forward" -> attentionForward(read(dir, "q"), read(dir, "k"), read(dir, "v"));
            case "attention.forward_backward" ->
                    attentionForwardBackward(read(dir, "q"), read(dir, "k"), read(dir, "v"), read(dir, "dout"));
            case "moe.forward" -> MoePeerCases.forward(dir, params);
            case "moe.forward_backward" -> MoePeerCases.forwardBackward(dir, params);
            case "fma" -> CpuPeerCases.fma(dir, params);
            case "sgemm.numpy", "sgemm.torch" -> CpuPeerCases.gemm(dir, params);
            case "linear.moe" -> CpuPeerCases.linear(dir);
            case "bmm" -> CpuPeerCases.bmm(dir);
            case "add.row" -> CpuPeerCases.addRow(dir);
            case "unary.exp" -> CpuPeerCases.ofX(dir, Tensor::exp);
            case "unary.silu" -> CpuPeerCases.ofX(dir, Tensor::silu);
            case "unary.gelu" -> CpuPeerCases.ofX(dir, Tensor::gelu);
            case "softmax.row" -> CpuPeerCases.ofX(dir, x -> x.softmax(-1));
            case "reduce.sum" -> CpuPeerCases.ofX(dir, x -> x.sum(-1));
            case "reduce.max" -> CpuPeerCases.ofX(dir, x -> x.max(-1));
            case "tiny.add" -> CpuPeerCases.tinyAdd(dir, params);
            case "demo.train_step" -> DemoTrainStepCase.create(dir, params);
            default -> throw new IllegalArgumentException("peer server: no kernel named " + kernel);
        };
    }

    static Tensor read(Path dir, String name) throws IOException {
        return Npy.read(dir.resolve(name + ".npy"));
    }

    private static double eps(Map<String, String> params) {
        String eps = params.get("eps");
        if (eps == null) {
            throw new IllegalArgumentException("peer server: rms_norm needs eps=<value>");
        }
        return Double.parseDouble(eps);
    }

    /** A case whose run computes its named outputs afresh each time. */
    abstract static class Computed implements PeerCase {
        private Map<String, Tensor> last = Map.of();

        abstract Map<String, Tensor> compute();

        @Override
        public final void run() {
            last = compute();
        }

        @Override
        public final Map<String, Tensor> outputs() {
            return last;
        }
    }

    private static PeerCase copy(Tensor src) {
        return new Computed() {
            @Override
            Map<String, Tensor> compute() {
                return Map.of("out", src.copy());
            }
        };
    }

    private static PeerCase rmsNormForward(Tensor x, Tensor w, double eps) {
        return new Computed() {
            @Override
            Map<String, Tensor> compute() {
                return Map.of("y", Fused.rmsNorm(x, w, eps));
            }
        };
    }

    private static PeerCase rmsNormForwardBackward(Tensor x, Tensor w, Tensor dy, double eps) {
        Tensor xLeaf = x.requiresGrad(true);
        Tensor wLeaf = w.requiresGrad(true);
        return new Computed() {
            @Override
            Map<String, Tensor> compute() {
                Tensor y = Fused.rmsNorm(xLeaf, wLeaf, eps);
                y.backward(dy);
                return named("y", y.detach(), "dx", takeGrad(xLeaf), "dw", takeGrad(wLeaf));
            }
        };
    }

    private static PeerCase attentionForward(Tensor q, Tensor k, Tensor v) {
        double scale = scale(q);
        return new Computed() {
            @Override
            Map<String, Tensor> compute() {
                return Map.of("out", Fused.attention(q, k, v, null, scale, true));
            }
        };
    }

    private static PeerCase attentionForwardBackward(Tensor q, Tensor k, Tensor v, Tensor dout) {
        double scale = scale(q);
        Tensor qLeaf = q.requiresGrad(true);
        Tensor kLeaf = k.requiresGrad(true);
        Tensor vLeaf = v.requiresGrad(true);
        return new Computed() {
            @Override
            Map<String, Tensor> compute() {
                Tensor out = Fused.attention(qLeaf, kLeaf, vLeaf, null, scale, true);
                out.backward(dout);
                return named("out", out.detach(), "dq", takeGrad(qLeaf), "dk", takeGrad(kLeaf), "dv", takeGrad(vLeaf));
            }
        };
    }

    /** 1 / sqrt(head dim), the usual attention scale, which the PyTorch peer uses too. */
    private static double scale(Tensor q) {
        return 1 / Math.sqrt(q.shape()[q.shape().length - 1]);
    }

    /** The leaf's gradient, cleared so that the next call computes a fresh one instead of accumulating. */
    static Tensor takeGrad(Tensor leaf) {
        Tensor grad = leaf.grad();
        leaf.zeroGrad();
        return grad;
    }

    static Map<String, Tensor> named(Object... nameTensorPairs) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (int i = 0; i < nameTensorPairs.length; i += 2) {
            out.put((String) nameTensorPairs[i], (Tensor) nameTensorPairs[i + 1]);
        }
        return out;
    }
}
