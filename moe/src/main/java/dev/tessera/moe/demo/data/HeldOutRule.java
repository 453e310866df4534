package dev.tessera.moe.demo.data;

/**
 * Splits the synthetic corpus by content: a sample is held out when a 64-bit hash of its bytes
 * falls in one bucket of {@link #BUCKETS}. Each split's stream keeps only its own samples, so the
 * two are disjoint by construction, whatever their random streams draw.
 */
final class HeldOutRule {
    /** One sample in this many (in expectation) is held out. */
    static final int BUCKETS = 10;

    private HeldOutRule() {}

    static boolean isHeldOut(byte[] bytes) {
        return Long.remainderUnsigned(mix(fnv1a(bytes)), BUCKETS) == 0;
    }

    /** FNV-1a, 64-bit. */
    private static long fnv1a(byte[] bytes) {
        long hash = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            hash ^= Byte.toUnsignedLong(b);
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    /** SplitMix64's finaliser, so every bit of the hash reaches the low ones the bucket reads. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
