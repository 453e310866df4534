package dev.tessera.tensor.cpu;

import dev.tessera.tensor.Tensor;

/**
 * The sizes of one attention call: q {@code [batch, heads, queries, headDim]}, k and v
 * {@code [batch, kvHeads, keys, headDim | valueDim]}, and the causal flag with its bottom-right
 * shift {@code keys - queries} (key c is visible to query r iff {@code c <= r + shift}).
 */
record AttentionShape(int batch, int heads, int kvHeads, long queries, long keys, int headDim, int valueDim,
        boolean causal) {
    static AttentionShape of(Tensor q, Tensor k, Tensor v, boolean causal) {
        return new AttentionShape(Math.toIntExact(q.size(0)), Math.toIntExact(q.size(1)), Math.toIntExact(k.size(1)),
                q.size(2), k.size(2), Math.toIntExact(q.size(3)), Math.toIntExact(v.size(3)), causal);
    }

    long shift() {
        return keys - queries;
    }

    /** Query heads per kv head. */
    int group() {
        return kvHeads == 0 ? 0 : heads / kvHeads;
    }

    /** The kv head that query head h reads. */
    int kvHead(int h) {
        return h / group();
    }

    int queryBlocks() {
        return AttentionBlocks.blocks(queries, AttentionBlocks.BR);
    }

    int keyBlocks() {
        return AttentionBlocks.blocks(keys, AttentionBlocks.BC);
    }
}
