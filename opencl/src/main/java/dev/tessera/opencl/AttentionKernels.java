package dev.tessera.opencl;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.List;

/**
 * Flash attention forward and backward (attention.cl). The forward runs one work-group per
 * (batch, head, block of query rows) with an online softmax; the backward computes the row sums
 * D = rowsum(gradOut * out), then gradQ with one group per query block and gradK, gradV with one
 * group per (batch, kv head, key block) looping over the group's query heads in order: no atomics,
 * so the same inputs give the same bits.
 */
final class AttentionKernels {
    private static final String FAMILY = "attention";
    /**
     * The largest q/k or v head dim the kernels take: each work-item keeps its share of a row of the
     * output (forward) or of gradQ, gradK and gradV (backward) in registers, a quarter of the padded
     * head dim per row; past 256 that no longer fits a GPU's registers. Larger heads are refused.
     */
    static final int MAX_HEAD_DIM = 256;
    /**
     * Block sizes (rows, columns) to try, largest first, the first whose local memory fits. On an H100
     * 64 x 64 beat 64 x 32 by 20% in the forward and 10% in the backward (B 4, H 16, N 2048-4096, D 64-128).
     */
    private static final List<int[]> BLOCKS = List.of(new int[] {64, 64}, new int[] {64, 32}, new int[] {32, 32});
    /** The head-dim chunk of a score product (a multiple of 8). */
    private static final int DK = 32;
    private static final long VIEW_BYTES = 40;

    private final ClRuntime runtime;

    AttentionKernels(ClRuntime runtime) {
        this.runtime = runtime;
    }

    void attention(Tensor q, Tensor k, Tensor v, Tensor mask, double scale, boolean causal, Tensor out, Tensor lse) {
        Sizes n = Sizes.of(q, k, v);
        if (n.batch * n.heads * n.queries == 0) {
            return;
        }
        Blocks blocks = Blocks.choose(runtime, BLOCKS, q.dtype(), n, "attention");
        long groups = n.batch * n.heads * ceilDiv(n.queries, blocks.rows);
        Launch launch = launch(blocks, "FORWARD", q.dtype(), lse.dtype(), "attention_forward")
                .buffer(q).struct(view(q)).buffer(k).struct(view(k)).buffer(v).struct(view(v));
        masked(launch, mask, q)
                .buffer(out).buffer(lse).i32(n.heads).i32(n.heads / n.kvHeads).i32(n.queries).i32(n.keys)
                .i32(n.headDim).i32(n.valueDim);
        real(launch, q.dtype(), scale).i32(causal ? 1 : 0).run1d(groups * blocks.threads(), blocks.threads());
    }

    void attentionBackward(Tensor gradOut, Tensor q, Tensor k, Tensor v, Tensor mask, Tensor out, Tensor lse,
            double scale, boolean causal, Tensor gradQ, Tensor gradK, Tensor gradV) {
        Sizes n = Sizes.of(q, k, v);
        DType rowType = lse.dtype();
        long rows = n.batch * n.heads * n.queries;
        Blocks blocks = Blocks.choose(runtime, BLOCKS, q.dtype(), n, "attentionBackward");
        Tensor delta = Tensor.empty(rowType, q.device(), n.batch, n.heads, n.queries);
        if (rows > 0) {
            launch(blocks, "BACKWARD", q.dtype(), rowType, "attention_delta")
                    .buffer(gradOut).struct(view(gradOut)).buffer(out).struct(view(out)).buffer(delta)
                    .i64(rows).i32(n.heads).i32(n.queries).i32(n.valueDim)
                    .run1d(Grid.items(rows), Grid.GROUP);
        }
        if (gradQ.numel() > 0) {
            long groups = n.batch * n.heads * ceilDiv(n.queries, blocks.rows);
            Launch launch = launch(blocks, "BACKWARD", q.dtype(), rowType, "attention_grad_q");
            inputs(launch, gradOut, q, k, v, mask, lse, delta)
                    .buffer(gradQ).i32(n.heads).i32(n.heads / n.kvHeads).i32(n.queries).i32(n.keys)
                    .i32(n.headDim).i32(n.valueDim);
            real(launch, q.dtype(), scale).i32(causal ? 1 : 0).run1d(groups * blocks.threads(), blocks.threads());
        }
        if (gradK.numel() + gradV.numel() > 0) {
            long groups = n.batch * n.kvHeads * ceilDiv(n.keys, blocks.rows);
            Launch launch = launch(blocks, "BACKWARD", q.dtype(), rowType, "attention_grad_kv");
            inputs(launch, gradOut, q, k, v, mask, lse, delta)
                    .buffer(gradK).buffer(gradV).i32(n.kvHeads).i32(n.heads / n.kvHeads).i32(n.queries).i32(n.keys)
                    .i32(n.headDim).i32(n.valueDim);
            real(launch, q.dtype(), scale).i32(causal ? 1 : 0).run1d(groups * blocks.threads(), blocks.threads());
        }
    }

    /** The arguments the two gradient kernels share, in their order. */
    private static Launch inputs(Launch launch, Tensor gradOut, Tensor q, Tensor k, Tensor v, Tensor mask, Tensor lse,
            Tensor delta) {
        launch.buffer(gradOut).struct(view(gradOut)).buffer(q).struct(view(q)).buffer(k).struct(view(k))
                .buffer(v).struct(view(v));
        return masked(launch, mask, q).buffer(lse).struct(view(lse)).buffer(delta);
    }

    /** The mask, its view and the flag; without a mask, q's buffer stands in and is never read. */
    private static Launch masked(Launch launch, Tensor mask, Tensor q) {
        return mask == null ? launch.buffer(q).struct(view(q)).i32(0) : launch.buffer(mask).struct(view(mask)).i32(1);
    }

    /** A value of the kernels' compute type T: double for F64, float otherwise. */
    private static Launch real(Launch launch, DType dtype, double value) {
        return dtype == DType.F64 ? launch.f64(value) : launch.f32((float) value);
    }

    /** A kernel of the program for one pass ({@code FORWARD} or {@code BACKWARD}) at these block sizes and dtypes. */
    private Launch launch(Blocks blocks, String pass, DType dtype, DType rowType, String kernel) {
        String types = ClTypes.operand("X", dtype) + ClTypes.operand("L", rowType);
        return new Launch(runtime, FAMILY, "-D" + pass + " " + types + blocks.options(), kernel);
    }

    /** attention.cl's {@code view4_t} of a tensor of rank 3 or 4: offset and strides, in elements. */
    private static MemorySegment view(Tensor t) {
        MemorySegment m = MemorySegment.ofArray(new long[(int) (VIEW_BYTES / 8)]);
        m.set(ValueLayout.JAVA_LONG, 0, t.offset());
        long[] strides = t.strides();
        for (int d = 0; d < strides.length; d++) {
            m.set(ValueLayout.JAVA_LONG, 8 + 8L * d, strides[d]);
        }
        return m;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    /** The sizes of one call: q [B, H, Nq, D], k [B, Hkv, Nk, D], v [B, Hkv, Nk, Dv]. */
    private record Sizes(long batch, int heads, int kvHeads, int queries, int keys, int headDim, int valueDim) {
        static Sizes of(Tensor q, Tensor k, Tensor v) {
            return new Sizes(q.size(0), Math.toIntExact(q.size(1)), Math.toIntExact(k.size(1)),
                    Math.toIntExact(q.size(2)), Math.toIntExact(k.size(2)), Math.toIntExact(q.size(3)),
                    Math.toIntExact(v.size(3)));
        }
    }

    /**
     * The block sizes of a launch (attention.cl's build options): rows per work-group and columns per
     * block, the head dims padded to 32, and VC, the rows of a row-major chunk, as many as fit in the
     * staging region of a score product.
     */
    private record Blocks(int rows, int cols, int paddedHeadDim, int paddedValueDim, int chunkRows) {
        static Blocks choose(ClRuntime runtime, List<int[]> sizes, DType dtype, Sizes n, String op) {
            if (n.headDim > MAX_HEAD_DIM || n.valueDim > MAX_HEAD_DIM) {
                throw new IllegalArgumentException(op + ": the opencl kernels take head dims up to " + MAX_HEAD_DIM
                        + ", got q/k head dim " + n.headDim + " and v head dim " + n.valueDim
                        + "; run larger heads on the cpu device");
            }
            int dp = padded(n.headDim);
            int dvp = padded(n.valueDim);
            int elementBytes = dtype == DType.F64 ? 8 : 4;
            for (int[] size : sizes) {
                int rows = size[0];
                int cols = size[1];
                int stage = DK * (rows + 4 + cols + 4);
                int chunkRows = cols;
                while (chunkRows * Math.max(dp, dvp) > stage) {
                    chunkRows /= 2;
                }
                Blocks b = new Blocks(rows, cols, dp, dvp, chunkRows);
                long bytes = (long) elementBytes * (stage + cols * (rows + 4L) + rows * 8L);
                if (b.threads() <= runtime.maxWorkGroupSize && bytes <= runtime.localMemBytes) {
                    return b;
                }
            }
            throw new IllegalArgumentException(op + ": the OpenCL device " + runtime.deviceName + " has "
                    + runtime.localMemBytes + " bytes of local memory and work-groups of at most "
                    + runtime.maxWorkGroupSize + " items, too few for the smallest attention blocks "
                    + Arrays.toString(sizes.getLast()) + " in " + dtype);
        }

        private static int padded(int dim) {
            return Math.max(32, (dim + 31) / 32 * 32);
        }

        int threads() {
            return rows / 4 * 8;
        }

        String options() {
            return "-DROWS=" + rows + " -DCOLS=" + cols + " -DDK=" + DK + " -DVC=" + chunkRows
                    + " -DDP=" + paddedHeadDim + " -DDVP=" + paddedValueDim + " ";
        }
    }
}
