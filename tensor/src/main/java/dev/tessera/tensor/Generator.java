package dev.tessera.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A counter-based random generator: Philox 4x32-10 (Salmon et al., "Parallel random numbers:
 * as easy as 1, 2, 3", SC 2011). Any backend can reproduce its streams bit for bit.
 *
 * <p>Stream layout. The key is the seed: {@code k0} = its low 32 bits, {@code k1} = its high 32
 * bits. Block {@code n} is Philox applied to the counter {@code (lo32(n), hi32(n), 0, 0)} and gives
 * four 32-bit words {@code w0..w3}. The generator keeps {@link #offset()}, the index of the next
 * unused block; each fill starts at that block and moves the offset past the blocks it used.
 * Within one fill, starting at block {@code b}:
 * <ul>
 *   <li>uniform element i: word {@code i % 4} of block {@code b + i / 4}, as {@code (w >>> 8) * 2^-24},
 *       in [0, 1);</li>
 *   <li>normal element i: block {@code b + i / 2}, words {@code (w0, w1)} for even i and
 *       {@code (w2, w3)} for odd i; with {@code u1 = (w_first + 1) * 2^-32} in (0, 1] and
 *       {@code u2 = w_second * 2^-32}, the value is {@code sqrt(-2 ln u1) * cos(2 pi u2)} in double
 *       ({@link StrictMath}), rounded to float;</li>
 *   <li>integer element i in [low, high): the same two words as a normal, read as the unsigned 64-bit
 *       {@code w_first << 32 | w_second}, taken modulo {@code high - low} (the bias is below
 *       {@code (high - low) / 2^64}).</li>
 * </ul>
 */
public final class Generator {
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final double TWO_POW_M32 = 0x1p-32;

    /** What a fill draws; each one's use of the stream is in the class comment. */
    public enum Distribution {
        UNIFORM(4), NORMAL(2), INTEGERS(2);

        private final int perBlock;

        Distribution(int perBlock) {
            this.perBlock = perBlock;
        }

        /** Blocks a fill of {@code count} elements uses. */
        public long blocks(long count) {
            return (count + perBlock - 1) / perBlock;
        }
    }

    private final long seed;
    private long offset;

    public Generator(long seed) {
        this(seed, 0);
    }

    /** A generator positioned at block {@code offset}, e.g. to resume from a checkpoint. */
    public Generator(long seed, long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("Generator: offset must be non-negative, got " + offset);
        }
        this.seed = seed;
        this.offset = offset;
    }

    public long seed() {
        return seed;
    }

    /** The index of the next unused Philox block. */
    public synchronized long offset() {
        return offset;
    }

    /**
     * Moves the stream to block {@code offset}, forwards or back: a generator that others hold (a
     * dropout layer's) resumes from a checkpoint this way, as one built with {@link #Generator(long, long)}.
     */
    public synchronized void setOffset(long offset) {
        if (offset < 0) {
            throw new IllegalArgumentException("Generator.setOffset: offset must be non-negative, got " + offset);
        }
        this.offset = offset;
    }

    /**
     * Philox 4x32-10 of the counter {@code (c0, c1, c2, c3)} under key {@code (k0, k1)}; writes the four
     * output words into {@code out}.
     */
    public static void philox(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int round = 0; round < 10; round++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            int n3 = (int) p0;
            c0 = n0;
            c1 = n1;
            c2 = n2;
            c3 = n3;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /**
     * Reserves the blocks a fill of {@code count} elements of {@code distribution} uses and returns
     * the first: a backend that fills on its own device starts there (see {@link Backend#fillRandom}).
     */
    public synchronized long reserve(Distribution distribution, long count) {
        long start = offset;
        offset = start + distribution.blocks(count);
        return start;
    }

    /**
     * The stream of generator {@code seed} from block {@code start}: {@code count} elements of
     * {@code distribution} (F32, or I64 in [low, high) for INTEGERS) into {@code segment}.
     */
    public static void fill(Distribution distribution, long seed, long start, long low, long high,
            MemorySegment segment, long count) {
        int[] words = new int[4];
        int k0 = (int) seed;
        int k1 = (int) (seed >>> 32);
        int perBlock = distribution.perBlock;
        for (long i = 0; i < count; i++) {
            if (i % perBlock == 0) {
                long n = start + i / perBlock;
                philox((int) n, (int) (n >>> 32), 0, 0, k0, k1, words);
            }
            switch (distribution) {
                case UNIFORM -> segment.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i,
                        (words[(int) (i % 4)] >>> 8) * 0x1p-24f);
                case NORMAL -> {
                    int first = words[(int) (i % 2) * 2];
                    int second = words[(int) (i % 2) * 2 + 1];
                    double u1 = ((first & 0xFFFFFFFFL) + 1) * TWO_POW_M32;
                    double u2 = (second & 0xFFFFFFFFL) * TWO_POW_M32;
                    double z = StrictMath.sqrt(-2 * StrictMath.log(u1)) * StrictMath.cos(2 * StrictMath.PI * u2);
                    segment.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) z);
                }
                case INTEGERS -> {
                    long bits = ((long) words[(int) (i % 2) * 2] << 32) | (words[(int) (i % 2) * 2 + 1] & 0xFFFFFFFFL);
                    segment.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i, low + Long.remainderUnsigned(bits, high - low));
                }
            }
        }
    }

    @Override
    public String toString() {
        return "Generator(seed=" + seed + ", offset=" + offset + ")";
    }
}
