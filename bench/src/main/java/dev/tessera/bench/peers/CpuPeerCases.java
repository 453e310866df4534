package dev.tessera.bench.peers;

import dev.tessera.nn.functional.F;
import dev.tessera.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The CPU-performance kernels of issue #3 against NumPy/OpenBLAS and PyTorch (bench/peers/cpu_kernels.py):
 * SGEMM with either operand transposed, a Linear's {@code x W^T} at the MoE expert shapes, batched
 * matmul, memory-bound elementwise ops, row softmax and reductions, and the fixed cost of a tiny op.
 * A transposed operand is stored contiguous as its transpose and used through {@code t()}, as the peer
 * uses {@code .T}: both sides see the same memory layout.
 */
final class CpuPeerCases {
    private CpuPeerCases() {}

    static PeerCase gemm(Path dir, Map<String, String> params) throws IOException {
        Tensor a = PeerCases.read(dir, "a");
        Tensor b = PeerCases.read(dir, "b");
        Tensor left = flag(params, "ta") ? a.t() : a;
        Tensor right = flag(params, "tb") ? b.t() : b;
        return computed("c", () -> left.matmul(right));
    }

    /** What a bias-free Linear does: {@code x W^T} with W [out, in]. */
    static PeerCase linear(Path dir) throws IOException {
        Tensor x = PeerCases.read(dir, "x");
        Tensor w = PeerCases.read(dir, "w");
        return computed("y", () -> F.linear(x, w, null));
    }

    static PeerCase bmm(Path dir) throws IOException {
        Tensor a = PeerCases.read(dir, "a");
        Tensor b = PeerCases.read(dir, "b");
        return computed("c", () -> a.matmul(b));
    }

    /** One op of x alone: exp, silu, gelu (erf), softmax or sum or max over the last dim. */
    static PeerCase ofX(Path dir, UnaryOperator<Tensor> op) throws IOException {
        Tensor x = PeerCases.read(dir, "x");
        return computed("y", () -> op.apply(x));
    }

    /** x [N, C] + b [C], broadcast over the rows. */
    static PeerCase addRow(Path dir) throws IOException {
        Tensor x = PeerCases.read(dir, "x");
        Tensor b = PeerCases.read(dir, "b");
        return computed("y", () -> x.add(b));
    }

    /** {@code calls} adds of two 1-element tensors per run: the fixed cost of an op. */
    static PeerCase tinyAdd(Path dir, Map<String, String> params) throws IOException {
        Tensor a = PeerCases.read(dir, "a");
        Tensor b = PeerCases.read(dir, "b");
        int calls = Integer.parseInt(required(params, "calls"));
        return computed("c", () -> {
            Tensor c = null;
            for (int i = 0; i < calls; i++) {
                c = a.add(b);
            }
            return c;
        });
    }

    static PeerCase fma(Path dir, Map<String, String> params) throws IOException {
        return new FmaCeiling(PeerCases.read(dir, "x"), PeerCases.read(dir, "ab"), Long.parseLong(required(params, "iterations")));
    }

    private interface Body {
        Tensor compute();
    }

    private static PeerCase computed(String name, Body body) {
        return new PeerCases.Computed() {
            @Override
            Map<String, Tensor> compute() {
                return Map.of(name, body.compute());
            }
        };
    }

    private static boolean flag(Map<String, String> params, String key) {
        return Boolean.parseBoolean(params.getOrDefault(key, "false"));
    }

    private static String required(Map<String, String> params, String key) {
        String value = params.get(key);
        if (value == null) {
            throw new IllegalArgumentException("peer server: this kernel needs " + key + "=<value>");
        }
        return value;
    }
}
