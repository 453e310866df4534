package dev.tessera.tests.ops;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;

/**
 * Shapes for sample generators, and the index arithmetic the suite does on them.
 *
 * <p>Sizes include 0 and 1 and sizes around the 16-float AVX-512 lane count and typical block
 * sizes (15, 16, 17, 33, 65, 130) so that vector tails and block edges are hit.
 */
final class Shapes {
    /** Most cases stay below this many elements so that the suite stays fast. */
    static final long SMALL_NUMEL = 5_000;

    private Shapes() {}

    /** One dim's size, weighted towards small sizes and lane-count neighbours; 0 rarely, since one 0 empties the tensor. */
    static Arbitrary<Long> sizes() {
        return Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0L)),
                Tuple.of(14, Arbitraries.longs().between(1, 5)),
                Tuple.of(10, Arbitraries.of(7L, 15L, 16L, 17L)),
                Tuple.of(3, Arbitraries.of(31L, 33L, 65L, 130L)));
    }

    /** Shapes of rank {@code minRank..4} (mostly 1 to 3) with at most {@link #SMALL_NUMEL} elements. */
    static Arbitrary<long[]> small(int minRank) {
        Arbitrary<Integer> ranks = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0)),
                Tuple.of(3, Arbitraries.just(1)),
                Tuple.of(3, Arbitraries.just(2)),
                Tuple.of(2, Arbitraries.just(3)),
                Tuple.of(1, Arbitraries.just(4)));
        return ranks.filter(rank -> rank >= minRank)
                .flatMap(rank -> sizes().list().ofSize(rank))
                .map(Shapes::toArray)
                .filter(s -> numel(s) <= SMALL_NUMEL);
    }

    /** Mostly small shapes, sometimes a matrix of up to 150 x 150 (for reductions and products). */
    static Arbitrary<long[]> mostlySmall(int minRank) {
        Arbitrary<long[]> big = Arbitraries.longs().between(97, 150).list().ofSize(2).map(Shapes::toArray);
        return Arbitraries.frequencyOf(Tuple.of(9, small(minRank)), Tuple.of(1, big));
    }

    static long[] toArray(List<Long> sizes) {
        return sizes.stream().mapToLong(Long::longValue).toArray();
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long s : shape) {
            n *= s;
        }
        return n;
    }

    static boolean hasDimAbove1(long[] shape) {
        return Arrays.stream(shape).anyMatch(s -> s > 1);
    }

    static String str(long[] shape) {
        return Arrays.toString(shape);
    }

    /** The multi-index of row-major position {@code flat}. */
    static long[] unravel(long flat, long[] shape) {
        long[] index = new long[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            index[d] = flat % shape[d];
            flat /= shape[d];
        }
        return index;
    }

    static long flatten(long[] index, long[] strides) {
        long at = 0;
        for (int d = 0; d < index.length; d++) {
            at += index[d] * strides[d];
        }
        return at;
    }

    /** A shape that broadcasts to {@code target}: some leading dims dropped, some dims set to 1. */
    static long[] broadcastPartner(long[] target, Random random) {
        int drop = random.nextInt(target.length + 1);
        long[] partner = Arrays.copyOfRange(target, drop, target.length);
        for (int d = 0; d < partner.length; d++) {
            if (random.nextInt(3) == 0) {
                partner[d] = 1;
            }
        }
        return partner;
    }

    /** {@code shape} with each dim set to 1 with probability 1/2 (squeeze and expand inputs). */
    static long[] someDimsOne(long[] shape, Random random) {
        long[] out = shape.clone();
        for (int d = 0; d < out.length; d++) {
            if (random.nextBoolean()) {
                out[d] = 1;
            }
        }
        return out;
    }

    /** {@code shape} itself if some dim is non-empty, else with a dim of 3 appended, so that a dim to work along exists. */
    static long[] withNonEmptyDim(long[] shape) {
        return Arrays.stream(shape).anyMatch(s -> s > 0) ? shape : with(shape, shape.length, 3);
    }

    static long[] with(long[] shape, int at, long size) {
        long[] out = new long[shape.length + 1];
        System.arraycopy(shape, 0, out, 0, at);
        out[at] = size;
        System.arraycopy(shape, at, out, at + 1, shape.length - at);
        return out;
    }

    static long[] withSize(long[] shape, int dim, long size) {
        long[] out = shape.clone();
        out[dim] = size;
        return out;
    }

    /** A random dim of the shape whose size is positive, or -1 when there is none. */
    static int nonEmptyDim(long[] shape, Random random) {
        int[] dims = java.util.stream.IntStream.range(0, shape.length).filter(d -> shape[d] > 0).toArray();
        return dims.length == 0 ? -1 : dims[random.nextInt(dims.length)];
    }

    /** {@code dim} or the same dim counted from the end, at random: both spellings must work. */
    static int maybeNegative(int dim, int rank, Random random) {
        return random.nextInt(4) == 0 ? dim - rank : dim;
    }
}
