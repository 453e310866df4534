package dev.tessera.tests.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.MemoryStats;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.cpu.Parallel;
import java.io.IOException;
import java.io.InputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeElement;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.NewMultiArrayInstruction;
import java.lang.classfile.instruction.NewPrimitiveArrayInstruction;
import java.lang.classfile.instruction.NewReferenceArrayInstruction;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The memory promise of the fused attention on the cpu backend: the N x N score matrix is never
 * held, forward or backward; the extra memory is O(N x head_dim) per head. Measured with
 * {@link MemoryStats}: the tensor memory allocated during the call (its peak) plus the working
 * arrays the kernels created, less the outputs' own bytes. The bound is linear in N: per thread a
 * few 64 x 64 blocks, two rows of N doubles (the F64 path works one query row at a time) and one
 * [N, D] float array (the backward's private dQ partial sums, one kv group at a time; a group of
 * one head here), plus four [N, D] float arrays per head (the backward's row sums
 * D = rowsum(dO * O) need only one value per row). The scores of one head would be N * N * 4
 * bytes: 4 MiB at N = 1024, 64 MiB at 4096.
 *
 * <p>The kernels' arrays are counted only if they come from their Scratch, so a second test reads
 * the kernels' bytecode and requires that they create no arrays of their own.
 */
class AttentionMemoryTest {
    private static final int D = 16;
    /** Per thread and call: the forward's or the backward's blocks, at most sixteen 64 x 64 floats. */
    private static final long BLOCK_BYTES_PER_THREAD = 16 * 64 * 64 * Float.BYTES;
    /**
     * Per thread and key: the F64 path's scores row and mask row, and the F32 backward's dQ partial
     * sums (D floats per query row), which each thread keeps so that dQ is summed in a fixed order.
     */
    private static final long ROW_BYTES_PER_THREAD_AND_KEY = 2 * Double.BYTES + D * Float.BYTES;
    /** Per head, row and head-dim column: four float arrays of [N, D]. */
    private static final long BYTES_PER_HEAD_ELEMENT = 4 * Float.BYTES;

    private static long bound(long n) {
        return Parallel.THREADS * (BLOCK_BYTES_PER_THREAD + ROW_BYTES_PER_THREAD_AND_KEY * n) + BYTES_PER_HEAD_ELEMENT * n * D;
    }

    private static long scoreBytes(long n) {
        return n * n * Float.BYTES;
    }

    /** dtype, N, and whether a key-padding mask [1, 1, 1, N] (broadcast, never expanded in memory) replaces the causal mask. */
    static Stream<Arguments> problems() {
        return Stream.of(
                Arguments.of(DType.F32, 1024, false),
                Arguments.of(DType.F32, 2048, false),
                Arguments.of(DType.F32, 4096, false),
                Arguments.of(DType.F32, 2048, true),
                Arguments.of(DType.BF16, 2048, false),
                Arguments.of(DType.F64, 2048, false));
    }

    /** Tensor memory allocated since the reset and live at the peak, plus kernel arrays, minus the outputs. */
    private static long extraBytes(Tensor... outputs) {
        MemoryStats stats = MemoryStats.now();
        long extra = stats.peakBytes() + stats.scratchBytes();
        for (Tensor t : outputs) {
            extra -= t.storage().byteSize();
        }
        return extra;
    }

    @ParameterizedTest(name = "{0} N={1} padding mask={2}")
    @MethodSource("problems")
    void forwardAndBackwardHoldNoScoreMatrix(DType dtype, int n, boolean masked) {
        // The per-thread term grows with the core count; where it reaches the scores, this N proves nothing.
        assumeTrue(bound(n) < scoreBytes(n), "on " + Parallel.THREADS + " threads the bound at N=" + n + " exceeds the scores");
        Generator g = new Generator(n);
        Tensor q = Tensor.randn(g, 1, 1, n, D).to(dtype);
        Tensor k = Tensor.randn(g, 1, 1, n, D).to(dtype);
        Tensor v = Tensor.randn(g, 1, 1, n, D).to(dtype);
        Tensor gradOut = Tensor.randn(g, 1, 1, n, D).to(dtype);
        Tensor mask = masked ? Tensor.zeros(1, 1, 1, n).to(dtype) : null;
        Tensor fullMask = masked ? mask.expand(1, 1, n, n) : null;
        boolean causal = !masked;
        double scale = 1 / Math.sqrt(D);
        Tensor out = Cpu.empty(dtype, 1, 1, n, D);
        Tensor lse = Cpu.empty(dtype == DType.F64 ? DType.F64 : DType.F32, 1, 1, n);

        // The forward through the backend, so that its log-sum-exp is kept: its outputs exist before the reset.
        MemoryStats.reset();
        Cpu.CPU.attention(q, k, v, fullMask, scale, causal, out, lse);
        long forward = extraBytes();

        MemoryStats.reset();
        Tensor[] grads = Fused.attentionBackward(gradOut, q, k, v, mask, out, lse, scale, causal);
        long backward = extraBytes(grads);

        String at = dtype + " N=" + n + ": ";
        assertTrue(forward <= bound(n), at + "the forward used " + forward + " extra bytes, over the linear bound " + bound(n));
        assertTrue(backward <= bound(n), at + "the backward used " + backward + " extra bytes, over the linear bound " + bound(n));
        assertTrue(Double.isFinite(grads[0].sum().item()), at + "the gradient is not finite");
    }

    @Test
    void theKernelsWorkingArraysAreCounted() {
        int n = 200;
        Generator g = new Generator(1);
        Tensor q = Tensor.randn(g, 1, 1, n, D);
        Tensor out = Cpu.empty(DType.F32, 1, 1, n, D);
        Tensor lse = Cpu.empty(DType.F32, 1, 1, n);
        MemoryStats.reset();
        assertEquals(0, MemoryStats.now().scratchBytes());
        Cpu.CPU.attention(q, q, q, null, 1, false, out, lse);
        assertTrue(MemoryStats.now().scratchBytes() > 0, "the forward's blocks were not counted");
    }

    /**
     * The attention kernels take every working array from Scratch.newFloats / newDoubles, which
     * count it; a {@code new float[...]} of their own would be invisible to the test above.
     */
    @Test
    void theKernelsCreateNoArraysOfTheirOwn() throws ClassNotFoundException, IOException {
        List<String> offenders = new ArrayList<>();
        for (String name : List.of("FlashAttention", "FlashAttentionBackward", "AttentionDouble", "AttentionBlocks")) {
            Class<?> kernel = Class.forName("dev.tessera.tensor.cpu." + name);
            List<Class<?>> classes = new ArrayList<>(List.of(kernel.getDeclaredClasses()));
            classes.add(kernel);
            for (Class<?> c : classes) {
                for (MethodModel method : ClassFile.of().parse(bytecode(c)).methods()) {
                    boolean creates = method.code().stream()
                            .flatMap(code -> code.elementStream())
                            .anyMatch(AttentionMemoryTest::createsArray);
                    if (creates) {
                        offenders.add(c.getSimpleName() + "." + method.methodName().stringValue());
                    }
                }
            }
        }
        assertEquals(List.of(), offenders, "these methods create arrays that MemoryStats does not see; use Scratch.newFloats");
    }

    private static boolean createsArray(CodeElement e) {
        return e instanceof NewPrimitiveArrayInstruction || e instanceof NewReferenceArrayInstruction
                || e instanceof NewMultiArrayInstruction;
    }

    private static byte[] bytecode(Class<?> c) throws IOException {
        String file = c.getName().substring(c.getPackageName().length() + 1) + ".class";
        try (InputStream in = c.getResourceAsStream(file)) {
            return in.readAllBytes();
        }
    }
}
