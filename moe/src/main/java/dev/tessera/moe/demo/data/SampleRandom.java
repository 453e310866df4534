package dev.tessera.moe.demo.data;

import dev.tessera.tensor.Generator;

/**
 * The corpus's random numbers: Philox 4x32-10 ({@link Generator#philox}) keyed by the seed, with
 * the stream in the counter's third word, so each (seed, stream) gives its own sequence, the same on
 * every JVM. Block {@code n} is the counter {@code (lo32(n), hi32(n), stream, 0)}.
 */
final class SampleRandom {
    private final long seed;
    private final int stream;
    private final int[] words = new int[4];
    private long block;
    private int used = words.length;

    SampleRandom(long seed, int stream) {
        this.seed = seed;
        this.stream = stream;
    }

    /** The next 32 random bits. */
    int nextBits() {
        if (used == words.length) {
            Generator.philox((int) block, (int) (block >>> 32), stream, 0, (int) seed, (int) (seed >>> 32), words);
            block++;
            used = 0;
        }
        return words[used++];
    }

    /** Uniform in [0, bound): 64 random bits modulo bound (bias below bound / 2^64). */
    int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("SampleRandom.nextInt: bound must be positive, got " + bound);
        }
        long bits = (long) nextBits() << 32 | (nextBits() & 0xFFFFFFFFL);
        return (int) Long.remainderUnsigned(bits, bound);
    }

    /** Uniform in [low, high], both included. */
    int between(int low, int high) {
        return low + nextInt(high - low + 1);
    }

    /** Uniform in [0, 1), 53 bits. */
    double nextDouble() {
        long bits = (long) nextBits() << 32 | (nextBits() & 0xFFFFFFFFL);
        return (bits >>> 11) * 0x1p-53;
    }

    /** One of {@code choices}, uniformly. */
    String pick(String... choices) {
        return choices[nextInt(choices.length)];
    }
}
