package dev.tessera.nn;

import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;
import java.util.List;

/**
 * The keys and values a decoder has already computed, per layer, so that generating the next
 * token runs the model over that token alone. Each layer appends its new keys (after RoPE) and
 * values along the token dimension; the stack places new tokens at positions {@link #length()}
 * onwards. With N new queries over N + cached keys, the fused attention's bottom-right causal
 * alignment lets the last query see every key and each earlier one the keys up to its own.
 */
public final class KvCache {
    private final Tensor[] keys;
    private final Tensor[] values;
    private long length;

    /** An empty cache for a stack of {@code layers} blocks. */
    public KvCache(int layers) {
        if (layers < 1) {
            throw new IllegalArgumentException("KvCache: need at least one layer, got " + layers);
        }
        this.keys = new Tensor[layers];
        this.values = new Tensor[layers];
    }

    /** The number of layers. */
    public int layers() {
        return keys.length;
    }

    /** The number of tokens cached: the position of the next token. */
    public long length() {
        return length;
    }

    /**
     * Appends layer {@code layer}'s new keys and values ([B, Hkv, N, D]) to those cached and returns
     * the whole of each: {@code [keys, values]}, [B, Hkv, cached + N, D].
     */
    List<Tensor> append(int layer, Tensor newKeys, Tensor newValues) {
        if (keys[layer] == null) {
            keys[layer] = newKeys.contiguous();
            values[layer] = newValues.contiguous();
        } else {
            if (keys[layer].size(0) != newKeys.size(0) || keys[layer].size(1) != newKeys.size(1)) {
                throw new IllegalArgumentException("KvCache: layer " + layer + " holds keys of shape "
                        + Shape.str(keys[layer].shape()) + ", new keys of shape " + Shape.str(newKeys.shape())
                        + " differ in batch or heads");
            }
            keys[layer] = Tensor.cat(List.of(keys[layer], newKeys), 2);
            values[layer] = Tensor.cat(List.of(values[layer], newValues), 2);
        }
        return List.of(keys[layer], values[layer]);
    }

    /** Records that the stack has appended {@code tokens} new tokens in every layer. */
    void advance(long tokens) {
        length += tokens;
    }
}
