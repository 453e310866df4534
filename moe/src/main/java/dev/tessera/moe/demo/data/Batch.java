package dev.tessera.moe.demo.data;

import dev.tessera.tensor.Tensor;
import java.util.Arrays;

/**
 * One training or evaluation batch, row-major [B, T]: the input ids, the next-token targets
 * ({@link Tokens#IGNORE} where a position has none), and each position's kind of data
 * ({@link Tokens#NO_KIND} on padding), so losses and routing can be counted per kind.
 */
public final class Batch {
    private final int rows;
    private final int length;
    private final int[] inputs;
    private final int[] targets;
    private final int[] kinds;

    Batch(int rows, int length, int[] inputs, int[] targets, int[] kinds) {
        this.rows = rows;
        this.length = length;
        this.inputs = inputs;
        this.targets = targets;
        this.kinds = kinds;
    }

    /** B. */
    public int rows() {
        return rows;
    }

    /** T. */
    public int length() {
        return length;
    }

    /** The input ids, [B * T] row-major. */
    public int[] inputs() {
        return inputs.clone();
    }

    /** The targets, [B * T] row-major: the next input's id, or {@link Tokens#IGNORE}. */
    public int[] targets() {
        return targets.clone();
    }

    /** Each position's kind, [B * T] row-major, {@link Tokens#NO_KIND} on padding. */
    public int[] kinds() {
        return kinds.clone();
    }

    /** The input ids as an I64 tensor [B, T]. */
    public Tensor inputIds() {
        return Tensor.of(Arrays.stream(inputs).asLongStream().toArray(), rows, length);
    }

    /** The targets as an I64 tensor [B, T]. */
    public Tensor targetIds() {
        return Tensor.of(Arrays.stream(targets).asLongStream().toArray(), rows, length);
    }

    /** The positions with a target: the tokens a training step learns from. */
    public int targetCount() {
        return (int) Arrays.stream(targets).filter(t -> t != Tokens.IGNORE).count();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Batch b && rows == b.rows && length == b.length && Arrays.equals(inputs, b.inputs)
                && Arrays.equals(targets, b.targets) && Arrays.equals(kinds, b.kinds);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(inputs) * 31 + Arrays.hashCode(targets);
    }

    @Override
    public String toString() {
        return "Batch[" + rows + " x " + length + ", " + targetCount() + " targets]";
    }
}
