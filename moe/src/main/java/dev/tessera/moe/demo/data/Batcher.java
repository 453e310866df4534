package dev.tessera.moe.demo.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Packs samples, whole and in order, into rows of T + 1 tokens: a sample that does not fit the
 * rest of a row starts the next one, and PAD fills the gap. A row's inputs are its first T
 * tokens and its targets the last T (shifted by one), except where the next token belongs to
 * another sample or to padding: there the target is {@link Tokens#IGNORE}, so no position learns
 * to guess across a sample boundary. A finite stream ends with a batch whose empty rows are all
 * padding.
 */
public final class Batcher implements Iterator<Batch> {
    private final Iterator<Sample> samples;
    private final int rows;
    private final int length;
    private Sample pending;

    /**
     * @param rows B, rows per batch
     * @param length T, inputs per row; every sample must have at most T + 1 tokens
     */
    public Batcher(Iterator<Sample> samples, int rows, int length) {
        if (rows < 1 || length < 1) {
            throw new IllegalArgumentException("Batcher: batches of " + rows + " x " + length + ": need B >= 1 and T >= 1");
        }
        this.samples = samples;
        this.rows = rows;
        this.length = length;
    }

    /** Every batch of a finite list of samples, e.g. the held-out split. */
    public static List<Batch> all(List<Sample> samples, int rows, int length) {
        Batcher batcher = new Batcher(samples.iterator(), rows, length);
        List<Batch> out = new ArrayList<>();
        batcher.forEachRemaining(out::add);
        return out;
    }

    @Override
    public boolean hasNext() {
        return pending != null || samples.hasNext();
    }

    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException("Batcher: no samples left");
        }
        int width = length + 1;
        int[] inputs = new int[rows * length];
        int[] targets = new int[rows * length];
        int[] kinds = new int[rows * length];
        int[] tokens = new int[width];
        int[] segment = new int[width];
        int[] segmentKind = new int[width];
        for (int r = 0; r < rows; r++) {
            Arrays.fill(tokens, Tokens.PAD);
            Arrays.fill(segment, -1);
            Arrays.fill(segmentKind, Tokens.NO_KIND);
            fillRow(tokens, segment, segmentKind);
            for (int t = 0; t < length; t++) {
                int at = r * length + t;
                inputs[at] = tokens[t];
                kinds[at] = segmentKind[t];
                boolean sameSample = segment[t] >= 0 && segment[t] == segment[t + 1];
                targets[at] = sameSample ? tokens[t + 1] : Tokens.IGNORE;
            }
        }
        return new Batch(rows, length, inputs, targets, kinds);
    }

    /** Puts whole samples into one row while they fit; {@code segment} numbers them within the row. */
    private void fillRow(int[] tokens, int[] segment, int[] segmentKind) {
        int used = 0;
        int index = 0;
        while (pending != null || samples.hasNext()) {
            Sample sample = pending != null ? pending : samples.next();
            pending = null;
            int count = sample.tokenCount();
            if (count > tokens.length) {
                throw new IllegalArgumentException("Batcher: a sample of " + count + " tokens does not fit a row of T + 1 = "
                        + tokens.length + " (" + sample + ")");
            }
            if (used + count > tokens.length) {
                pending = sample;
                return;
            }
            System.arraycopy(sample.tokens(), 0, tokens, used, count);
            Arrays.fill(segment, used, used + count, index);
            Arrays.fill(segmentKind, used, used + count, sample.kind());
            used += count;
            index++;
        }
    }
}
