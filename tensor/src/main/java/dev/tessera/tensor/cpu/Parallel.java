package dev.tessera.tensor.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.function.LongConsumer;

/**
 * The CPU backend's fixed thread pool and its one way of using it: split a range of independent
 * work items into contiguous chunks, one task per chunk. The chunking depends only on the range,
 * the grain and the pool size, so a given thread count always splits work the same way.
 */
public final class Parallel {
    /** Threads used by the CPU backend: {@code -Dtessera.threads=N}, default the number of cores. */
    public static final int THREADS = Integer.getInteger("tessera.threads", Runtime.getRuntime().availableProcessors());

    private static final ForkJoinPool POOL = new ForkJoinPool(THREADS);

    /** A body run over {@code [start, end)} of the item range. */
    @FunctionalInterface
    public interface RangeBody {
        void run(long start, long end);
    }

    private Parallel() {}

    /** A body run over chunk {@code chunk}, which covers {@code [start, end)} of the item range. */
    @FunctionalInterface
    public interface ChunkBody {
        void run(int chunk, long start, long end);
    }

    /** The number of chunks {@link #forChunks} splits {@code n} items into with this grain. */
    public static int chunks(long n, long grain) {
        return (int) Math.min(THREADS, Math.max(1, n / Math.max(1, grain)));
    }

    /**
     * Runs {@code body} over {@code [0, n)} split into at most {@link #THREADS} chunks of at least
     * {@code grain} items; runs inline when there is only one chunk.
     */
    public static void forRange(long n, long grain, RangeBody body) {
        forChunks(n, grain, (chunk, start, end) -> body.run(start, end));
    }

    /**
     * Like {@link #forRange}, telling the body its chunk number ({@code 0 <= chunk < chunks(n, grain)}),
     * so that per-chunk partial results can be combined afterwards in a fixed order.
     */
    public static void forChunks(long n, long grain, ChunkBody body) {
        int chunks = chunks(n, grain);
        if (chunks <= 1) {
            body.run(0, 0, n);
            return;
        }
        RecursiveAction[] tasks = new RecursiveAction[chunks];
        for (int c = 0; c < chunks; c++) {
            int chunk = c;
            long start = n * c / chunks;
            long end = n * (c + 1) / chunks;
            tasks[c] = new RecursiveAction() {
                @Override
                protected void compute() {
                    body.run(chunk, start, end);
                }
            };
        }
        if (ForkJoinTask.getPool() == POOL) {
            RecursiveAction.invokeAll(tasks);
        } else {
            POOL.invoke(new RecursiveAction() {
                @Override
                protected void compute() {
                    invokeAll(tasks);
                }
            });
        }
    }

    /** Runs {@code body} for each item of {@code [0, n)}, chunked as {@link #forRange}. */
    public static void forEach(long n, long grain, LongConsumer body) {
        forRange(n, grain, (start, end) -> {
            for (long i = start; i < end; i++) {
                body.accept(i);
            }
        });
    }
}
