package dev.tessera.tensor.cpu;

import static dev.tessera.tensor.cpu.AttentionBlocks.BC;
import static dev.tessera.tensor.cpu.AttentionBlocks.BR;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;

/**
 * The FlashAttention-2 forward (REFERENCE.md §5.1) for F32, BF16 and F16: each work item is one
 * (batch, head, query block); it streams the key blocks its rows can see, keeping per row a running
 * max m, a running sum l and an unnormalised accumulator that is rescaled by exp(m_old - m_new)
 * when the max grows, divides once at the end and stores L = m + ln l (+infinity, with out 0, for
 * a row that saw no key). Blocks are staged as F32 (scale folded into Q), so the extra memory is a
 * few blocks per thread, never Nq x Nk. F64 goes to {@link AttentionDouble}.
 */
final class FlashAttention {
    private FlashAttention() {}

    static void forward(Tensor q, Tensor k, Tensor v, Tensor mask, double scale, boolean causal, Tensor out, Tensor lse) {
        AttentionShape shape = AttentionShape.of(q, k, v, causal);
        if (q.dtype() == DType.F64) {
            AttentionDouble.forward(shape, q, k, v, mask, scale, out, lse);
            return;
        }
        AttentionOperand qs = AttentionOperand.of(q);
        AttentionOperand ks = AttentionOperand.of(k);
        AttentionOperand vs = AttentionOperand.of(v);
        AttentionOperand ms = AttentionOperand.of(mask);
        AttentionOperand os = AttentionOperand.of(out);
        AttentionOperand ls = AttentionOperand.ofRowStatistics(lse);
        int queryBlocks = shape.queryBlocks();
        long items = (long) shape.batch() * shape.heads() * queryBlocks;
        Parallel.forRange(items, 1, (start, end) -> {
            Tiles t = new Tiles(shape);
            for (long item = start; item < end; item++) {
                int bh = (int) (item / queryBlocks);
                // Any order gives the same results: the items are independent.
                int block = AttentionBlocks.balanced((int) (item % queryBlocks), queryBlocks, causal);
                queryBlock(shape, qs, ks, vs, ms, (float) scale, bh / shape.heads(), bh % shape.heads(), block, t, os, ls);
            }
        });
    }

    /** One thread's blocks: Q (scaled), K transposed, V, the scores, the accumulator and the row statistics. */
    static final class Tiles {
        final int headDimPadded;
        final int valueDimPadded;
        final float[] query;
        final float[] keysT;
        final float[] values;
        final float[] scores;
        final float[] acc;
        final float[] maskRow = Scratch.newFloats(BC);
        final float[] max = Scratch.newFloats(BR);
        final float[] sum = Scratch.newFloats(BR);
        final float[] one = Scratch.newFloats(1);

        Tiles(AttentionShape shape) {
            headDimPadded = AttentionBlocks.padded(shape.headDim());
            valueDimPadded = AttentionBlocks.padded(shape.valueDim());
            query = Scratch.newFloats(BR * headDimPadded);
            keysT = Scratch.newFloats(shape.headDim() * BC);
            values = Scratch.newFloats(BC * valueDimPadded);
            scores = Scratch.newFloats(BR * BC);
            acc = Scratch.newFloats(BR * valueDimPadded);
        }
    }

    private static void queryBlock(AttentionShape shape, AttentionOperand q, AttentionOperand k, AttentionOperand v,
            AttentionOperand mask, float scale, int b, int h, int block, Tiles t, AttentionOperand out, AttentionOperand lse) {
        long r0 = (long) block * BR;
        int rows = (int) Math.min(BR, shape.queries() - r0);
        int tiled = AttentionBlocks.tiled(rows);
        int g = shape.kvHead(h);
        int dv = t.valueDimPadded;
        stageQueries(q, b, h, r0, rows, shape.headDim(), scale, t.query, t.headDimPadded);
        Arrays.fill(t.max, Float.NEGATIVE_INFINITY);
        Arrays.fill(t.sum, 0);
        Arrays.fill(t.acc, 0, tiled * dv, 0);
        int end = AttentionBlocks.keyBlockEnd(shape.causal(), r0, rows, shape.shift(), shape.keys());
        for (int j = 0; j < end; j++) {
            long c0 = (long) j * BC;
            int cols = (int) Math.min(BC, shape.keys() - c0);
            stageKeysTransposed(k, b, g, c0, cols, shape.headDim(), t.keysT);
            v.rowsTo(b, g, c0, cols, shape.valueDim(), t.values, dv);
            AttentionBlocks.timesTransposed(t.query, t.headDimPadded, shape.headDim(), tiled, t.keysT, BC, BC, t.scores, BC);
            for (int i = 0; i < tiled; i++) {
                int at = i * BC;
                maskScores(shape, mask, b, h, r0, rows, i, c0, cols, t.scores, t.maskRow);
                float newMax = Math.max(t.max[i], AttentionBlocks.rowMax(t.scores, at, BC));
                // A row that has seen only masked keys keeps max -infinity; shift by 0 so that exp gives 0, not NaN.
                float shift = newMax == Float.NEGATIVE_INFINITY ? 0 : newMax;
                float rowSum = AttentionBlocks.expShifted(t.scores, at, BC, shift);
                float alpha = VectorMath.exp(t.max[i] - shift);
                t.sum[i] = alpha * t.sum[i] + rowSum;
                if (alpha != 1) {
                    AttentionBlocks.scale(t.acc, i * dv, dv, alpha);
                }
                t.max[i] = newMax;
            }
            AttentionBlocks.times(t.scores, BC, tiled, cols, t.values, dv, dv, t.acc, 0, dv);
        }
        for (int i = 0; i < rows; i++) {
            boolean empty = t.sum[i] == 0;
            AttentionBlocks.scale(t.acc, i * dv, dv, empty ? 0 : 1 / t.sum[i]);
            t.one[0] = empty ? Float.POSITIVE_INFINITY : (float) (t.max[i] + Math.log(t.sum[i]));
            out.writeRow(b, h, r0 + i, shape.valueDim(), t.acc, i * dv);
            lse.writeRow(b, h, r0 + i, 1, t.one, 0);
        }
    }

    /** Q rows {@code [r0, r0 + rows)} of (b, h) times {@code scale} into {@code query} (row stride ld), zero rows up to the tile. */
    static void stageQueries(AttentionOperand q, int b, int h, long r0, int rows, int headDim, float scale, float[] query, int ld) {
        q.rowsTo(b, h, r0, rows, headDim, query, ld);
        AttentionBlocks.scale(query, 0, rows * ld, scale);
        Arrays.fill(query, rows * ld, AttentionBlocks.tiled(rows) * ld, 0);
    }

    /** K rows {@code [c0, c0 + cols)} of (b, g) transposed into {@code keysT} ({@code [headDim][BC]}), zero beyond cols. */
    static void stageKeysTransposed(AttentionOperand k, int b, int g, long c0, int cols, int headDim, float[] keysT) {
        k.rowsTransposedTo(b, g, c0, cols, headDim, keysT, BC);
        if (cols < BC) {
            for (int d = 0; d < headDim; d++) {
                Arrays.fill(keysT, d * BC + cols, (d + 1) * BC, 0);
            }
        }
    }

    /**
     * Row i of a scores block (query {@code r0 + i}, keys from {@code c0}): adds the mask over the
     * keys the row sees and sets the rest to -infinity (keys past the causal diagonal, past the
     * ragged end, and every key of a padding row {@code i >= rows}).
     *
     * @return how many keys the row sees
     */
    static int maskScores(AttentionShape shape, AttentionOperand mask, int b, int h, long r0, int rows, int i, long c0,
            int cols, float[] scores, float[] maskRow) {
        int at = i * BC;
        int seen = i < rows ? AttentionBlocks.visible(shape.causal(), r0 + i, shape.shift(), c0, cols) : 0;
        if (mask != null && seen > 0) {
            mask.rowTo(b, h, r0 + i, c0, seen, maskRow);
            for (int j = 0; j < seen; j++) {
                scores[at + j] += maskRow[j];
            }
        }
        Arrays.fill(scores, at + seen, at + BC, Float.NEGATIVE_INFINITY);
        return seen;
    }
}
