package dev.tessera.tensor.cpu;

import static dev.tessera.tensor.cpu.AttentionBlocks.BC;
import static dev.tessera.tensor.cpu.AttentionBlocks.BR;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The FlashAttention-2 backward (REFERENCE.md §5.2) for F32, BF16 and F16, in one pass: first
 * D = rowsum(dO * O) per query row; then one work item per (batch, kv head, key block), which loops
 * over the query blocks of every query head in the group, rebuilds the probabilities
 * P = exp(S - L) from the forward's log-sum-exp (with the forward's own staging and block products,
 * so S has the same bits) and accumulates dK and dV of its block and the block's share of dQ. The
 * items of a span of groups at a time are split statically over the pool's threads; each thread
 * adds its dQ shares into a private buffer, and the buffers are summed in thread order once the span
 * is done. So every output element is summed in a fixed order, without atomics, for a given thread
 * count. A span holds as many groups as fit in {@link #SPAN_ROWS} query rows (fewer barriers for
 * short sequences), and at least ceil(threads / key blocks), so that every thread gets work. Extra
 * memory: the O(Nq) row sums, a few blocks per thread, and per thread one span's dQ: span x group x
 * Nq x headDim floats, at most max(SPAN_ROWS, ceil(threads / key blocks) x group x Nq) rows.
 */
final class FlashAttentionBackward {
    private FlashAttentionBackward() {}

    /** Query rows of dQ partial sums per thread that a span of several groups may fill: 1 MiB at head dim 64. */
    private static final int SPAN_ROWS = 4096;

    /** Per-thread blocks: Q (scaled), dO, K transposed and row-major, V transposed, P, dS, L and D rows, dK and dV. */
    private static final class Tiles {
        final int headDimPadded;
        final int valueDimPadded;
        final float[] query;
        final float[] gradOut;
        final float[] keysT;
        final float[] keys;
        final float[] valuesT;
        final float[] probs = Scratch.newFloats(BR * BC);
        final float[] gradScores = Scratch.newFloats(BR * BC);
        final float[] maskRow = Scratch.newFloats(BC);
        final float[] lse = Scratch.newFloats(BR);
        final float[] delta = Scratch.newFloats(BR);
        final float[] accK;
        final float[] accV;

        Tiles(AttentionShape shape) {
            headDimPadded = AttentionBlocks.padded(shape.headDim());
            valueDimPadded = AttentionBlocks.padded(shape.valueDim());
            query = Scratch.newFloats(BR * headDimPadded);
            gradOut = Scratch.newFloats(BR * valueDimPadded);
            keysT = Scratch.newFloats(shape.headDim() * BC);
            keys = Scratch.newFloats(BC * headDimPadded);
            valuesT = Scratch.newFloats(shape.valueDim() * BC);
            accK = Scratch.newFloats(BC * headDimPadded);
            accV = Scratch.newFloats(BC * valueDimPadded);
        }
    }

    /** The call's inputs as operands. */
    private record Problem(AttentionShape shape, AttentionOperand q, AttentionOperand k, AttentionOperand v,
            AttentionOperand mask, AttentionOperand gradOut, AttentionOperand lse, float[] delta, float scale) {}

    /**
     * The threads' dQ partial sums for a span of (batch, kv head) groups: per chunk of work items, per
     * query head of the span (span x group of them, in (batch, head) order), {@code rows} rows (the
     * query blocks' rows) of {@code ld} floats.
     */
    private record Partials(float[] sums, int rows, int ld, int size) {
        static Partials of(AttentionShape shape, int span, int chunks) {
            int heads = span * shape.group();
            int rows = shape.queryBlocks() * BR;
            int ld = AttentionBlocks.padded(shape.headDim());
            int size = Math.toIntExact((long) heads * rows * ld);
            return new Partials(Scratch.newFloats(Math.toIntExact((long) chunks * size)), rows, ld, size);
        }

        /** Where row r of the span's query head {@code local} starts in chunk {@code chunk}'s sums. */
        int at(int chunk, int local, long r) {
            return chunk * size + (int) ((local * (long) rows + r) * ld);
        }
    }

    static void backward(Tensor gradOut, Tensor q, Tensor k, Tensor v, Tensor mask, Tensor out, Tensor lse, double scale,
            boolean causal, Tensor gradQ, Tensor gradK, Tensor gradV) {
        AttentionShape shape = AttentionShape.of(q, k, v, causal);
        if (q.dtype() == DType.F64) {
            AttentionDouble.backward(shape, gradOut, q, k, v, mask, out, lse, scale, gradQ, gradK, gradV);
            return;
        }
        AttentionOperand dO = AttentionOperand.of(gradOut);
        Problem p = new Problem(shape, AttentionOperand.of(q), AttentionOperand.of(k), AttentionOperand.of(v),
                AttentionOperand.of(mask), dO, AttentionOperand.ofRowStatistics(lse),
                rowDots(shape, dO, AttentionOperand.of(out)), (float) scale);
        AttentionOperand dq = AttentionOperand.of(gradQ);
        AttentionOperand dk = AttentionOperand.of(gradK);
        AttentionOperand dv = AttentionOperand.of(gradV);
        int keyBlocks = shape.keyBlocks();
        int groups = Math.toIntExact((long) shape.batch() * shape.kvHeads());
        int groupRows = Math.max(1, shape.group() * shape.queryBlocks() * BR);
        int span = Math.max(AttentionBlocks.blocks(Parallel.THREADS, Math.max(1, keyBlocks)), SPAN_ROWS / groupRows);
        span = Math.max(1, Math.min(groups, span));
        int chunks = Parallel.chunks((long) span * keyBlocks, 1);
        List<Tiles> tiles = IntStream.range(0, chunks).mapToObj(c -> new Tiles(shape)).toList();
        Partials partials = Partials.of(shape, span, chunks);
        for (int first = 0; first < groups; first += span) {
            int firstGroup = first;
            int count = Math.min(span, groups - first);
            long items = (long) count * keyBlocks;
            Parallel.forChunks(items, 1, (chunk, start, end) -> {
                int at = partials.at(chunk, 0, 0);
                Arrays.fill(partials.sums(), at, at + partials.size(), 0);
                for (long item = start; item < end; item++) {
                    int local = (int) (item / keyBlocks);
                    int block = AttentionBlocks.balanced((int) (item % keyBlocks), keyBlocks, causal);
                    keyBlock(p, firstGroup + local, local, block, tiles.get(chunk), partials, chunk, dk, dv);
                }
            });
            reduceGradQ(p, firstGroup, count, partials, Parallel.chunks(items, 1), dq);
        }
    }

    /** D = rowsum(dO * O) per (b, h, r), in (b, h, r) order, summed in double and rounded once. */
    private static float[] rowDots(AttentionShape shape, AttentionOperand dO, AttentionOperand out) {
        long rows = (long) shape.batch() * shape.heads() * shape.queries();
        float[] delta = Scratch.newFloats(Math.toIntExact(rows));
        Parallel.forRange(rows, Math.max(1, Elementwise.GRAIN / Math.max(1, shape.valueDim())), (start, end) -> {
            float[] a = Scratch.newFloats(shape.valueDim());
            float[] o = Scratch.newFloats(shape.valueDim());
            for (long row = start; row < end; row++) {
                int bh = (int) (row / shape.queries());
                long r = row % shape.queries();
                dO.rowTo(bh / shape.heads(), bh % shape.heads(), r, 0, a.length, a);
                out.rowTo(bh / shape.heads(), bh % shape.heads(), r, 0, o.length, o);
                double sum = 0;
                for (int e = 0; e < a.length; e++) {
                    sum += (double) a[e] * o[e];
                }
                delta[(int) row] = (float) sum;
            }
        });
        return delta;
    }

    /** Stages the query block {@code [r0, r0 + rows)} of (b, h): Q scaled, dO, L and D. */
    private static void stageQueryBlock(Problem p, int b, int h, long r0, int rows, Tiles t) {
        AttentionShape shape = p.shape;
        FlashAttention.stageQueries(p.q, b, h, r0, rows, shape.headDim(), p.scale, t.query, t.headDimPadded);
        p.gradOut.rowsTo(b, h, r0, rows, shape.valueDim(), t.gradOut, t.valueDimPadded);
        Arrays.fill(t.gradOut, rows * t.valueDimPadded, AttentionBlocks.tiled(rows) * t.valueDimPadded, 0);
        p.lse.columnTo(b, h, r0, rows, t.lse);
        System.arraycopy(p.delta, (int) (((long) b * shape.heads() + h) * shape.queries() + r0), t.delta, 0, rows);
    }

    /** Stages the key block {@code [c0, c0 + cols)} of (b, g): K transposed and row-major, V transposed. */
    private static void stageKeyBlock(Problem p, int b, int g, long c0, int cols, Tiles t) {
        AttentionShape shape = p.shape;
        FlashAttention.stageKeysTransposed(p.k, b, g, c0, cols, shape.headDim(), t.keysT);
        FlashAttention.stageKeysTransposed(p.v, b, g, c0, cols, shape.valueDim(), t.valuesT);
        p.k.rowsTo(b, g, c0, cols, shape.headDim(), t.keys, t.headDimPadded);
    }

    /**
     * For the staged query and key blocks: P = exp(S - L) into {@code probs} (0 for masked keys and
     * for rows whose L is +infinity) and dS = P * (dO V^T - D) into {@code gradScores}.
     */
    private static void probabilities(Problem p, int b, int h, long r0, int rows, long c0, int cols, Tiles t) {
        AttentionShape shape = p.shape;
        int tiled = AttentionBlocks.tiled(rows);
        AttentionBlocks.timesTransposed(t.query, t.headDimPadded, shape.headDim(), tiled, t.keysT, BC, BC, t.probs, BC);
        AttentionBlocks.timesTransposed(t.gradOut, t.valueDimPadded, shape.valueDim(), tiled, t.valuesT, BC, BC,
                t.gradScores, BC);
        for (int i = 0; i < tiled; i++) {
            int at = i * BC;
            int seen = FlashAttention.maskScores(shape, p.mask, b, h, r0, rows, i, c0, cols, t.probs, t.maskRow);
            if (seen == 0) {
                Arrays.fill(t.probs, at, at + BC, 0);
                Arrays.fill(t.gradScores, at, at + BC, 0);
                continue;
            }
            AttentionBlocks.expShifted(t.probs, at, BC, t.lse[i]);
            float d = t.delta[i];
            for (int j = 0; j < BC; j++) {
                // Written as a product with P first so that a masked key (P = 0) gives exactly 0.
                t.gradScores[at + j] = t.probs[at + j] == 0 ? 0 : t.probs[at + j] * (t.gradScores[at + j] - d);
            }
        }
    }

    /**
     * dK and dV of one key block of group {@code bg} (batch times kv heads plus kv head), summed over
     * every query block of every query head sharing its kv head; its shares dS K of dQ go, unscaled,
     * into chunk {@code chunk}'s partial sums, where the group is the span's {@code local}-th.
     */
    private static void keyBlock(Problem p, int bg, int local, int block, Tiles t, Partials partials, int chunk,
            AttentionOperand dk, AttentionOperand dv) {
        AttentionShape shape = p.shape;
        int b = bg / shape.kvHeads();
        int g = bg % shape.kvHeads();
        long c0 = (long) block * BC;
        int cols = (int) Math.min(BC, shape.keys() - c0);
        int tiledCols = AttentionBlocks.tiled(cols);
        stageKeyBlock(p, b, g, c0, cols, t);
        Arrays.fill(t.accK, 0);
        Arrays.fill(t.accV, 0);
        int first = AttentionBlocks.queryBlockStart(shape.causal(), c0, shape.shift(), shape.queries());
        for (int x = 0; x < shape.group(); x++) {
            int h = g * shape.group() + x;
            for (int i = first; i < shape.queryBlocks(); i++) {
                long r0 = (long) i * BR;
                int rows = (int) Math.min(BR, shape.queries() - r0);
                stageQueryBlock(p, b, h, r0, rows, t);
                probabilities(p, b, h, r0, rows, c0, cols, t);
                AttentionBlocks.transposedTimes(t.probs, BC, rows, tiledCols, t.gradOut, t.valueDimPadded, t.valueDimPadded,
                        t.accV, t.valueDimPadded);
                // Q is staged times scale, so dS^T Q here is already scale dS^T q.
                AttentionBlocks.transposedTimes(t.gradScores, BC, rows, tiledCols, t.query, t.headDimPadded, t.headDimPadded,
                        t.accK, t.headDimPadded);
                AttentionBlocks.times(t.gradScores, BC, AttentionBlocks.tiled(rows), cols, t.keys, t.headDimPadded,
                        t.headDimPadded, partials.sums(), partials.at(chunk, local * shape.group() + x, r0), partials.ld());
            }
        }
        for (int c = 0; c < cols; c++) {
            dk.writeRow(b, g, c0 + c, shape.headDim(), t.accK, c * t.headDimPadded);
            dv.writeRow(b, g, c0 + c, shape.valueDim(), t.accV, c * t.valueDimPadded);
        }
    }

    /**
     * dQ of the query heads of the {@code count} groups from {@code firstGroup}: scale times the
     * partial sums of the first {@code chunks} chunks, added in chunk order, into gradQ.
     */
    private static void reduceGradQ(Problem p, int firstGroup, int count, Partials partials, int chunks,
            AttentionOperand dq) {
        AttentionShape shape = p.shape;
        int firstHead = firstGroup * shape.group();
        long rows = (long) count * shape.group() * shape.queries();
        float[] sums = partials.sums();
        Parallel.forRange(rows, Math.max(1, Elementwise.GRAIN / Math.max(1, chunks * partials.ld())), (start, end) -> {
            for (long row = start; row < end; row++) {
                int local = (int) (row / shape.queries());
                long r = row % shape.queries();
                int at = partials.at(0, local, r);
                for (int c = 1; c < chunks; c++) {
                    AttentionBlocks.add(sums, partials.at(c, local, r), sums, at, partials.ld());
                }
                AttentionBlocks.scale(sums, at, partials.ld(), p.scale);
                int head = firstHead + local;
                dq.writeRow(head / shape.heads(), head % shape.heads(), r, shape.headDim(), sums, at);
            }
        });
    }
}
