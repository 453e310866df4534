package dev.tessera.tests.autograd.rules;

import dev.tessera.tensor.Device;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The random choices of a gradient case: small shapes (a gradient check costs two forward passes
 * per input element), layouts, dims, indices, and values kept away from the points where an op
 * has no derivative. Everything comes from one seeded {@link Random}, so a seed is a case.
 */
final class Draw {
    /** Most elements a drawn shape may have. */
    static final long MAX_NUMEL = 60;
    /** Least distance between a value and a kink (relu's 0, a clamp bound, a tie): far above any step. */
    static final double MARGIN = 0.01;

    private final Random random;

    Draw(long seed) {
        this.random = new Random(seed);
    }

    Random random() {
        return random;
    }

    int between(int lo, int hi) {
        return lo + random.nextInt(hi - lo + 1);
    }

    boolean coin() {
        return random.nextBoolean();
    }

    /** One in {@code n}. */
    boolean oneIn(int n) {
        return random.nextInt(n) == 0;
    }

    // ---------------------------------------------------------------- shapes

    /** A shape of rank {@code minRank..maxRank}, sizes 1 to 5 (1 often), at most {@link #MAX_NUMEL} elements. */
    long[] shape(int minRank, int maxRank) {
        return shape(minRank, maxRank, 5, MAX_NUMEL);
    }

    /** A shape of rank {@code minRank..maxRank}, sizes 1 to {@code maxSize} (1 often), at most {@code maxNumel} elements. */
    long[] shape(int minRank, int maxRank, int maxSize, long maxNumel) {
        while (true) {
            long[] shape = new long[between(minRank, maxRank)];
            for (int d = 0; d < shape.length; d++) {
                shape[d] = oneIn(4) ? 1 : between(2, maxSize);
            }
            if (GradLayout.numel(shape) <= maxNumel) {
                return shape;
            }
        }
    }

    /** A shape that broadcasts to {@code target}: some leading dims dropped, some dims set to 1. */
    long[] broadcastPartner(long[] target) {
        long[] partner = Arrays.copyOfRange(target, random.nextInt(target.length + 1), target.length);
        for (int d = 0; d < partner.length; d++) {
            if (oneIn(3)) {
                partner[d] = 1;
            }
        }
        return partner;
    }

    /** A dim of a tensor of this rank (at least 1), spelled from the end a quarter of the time. */
    int dim(int rank) {
        int d = random.nextInt(rank);
        return oneIn(4) ? d - rank : d;
    }

    /** A random subset of the dims, possibly empty (which reductions read as all dims). */
    int[] someDims(int rank) {
        return java.util.stream.IntStream.range(0, rank).filter(d -> coin()).toArray();
    }

    /** Contiguous two times in three, otherwise transposed or sliced (where the shape allows). */
    GradLayout layout() {
        int pick = random.nextInt(6);
        return pick < 4 ? GradLayout.CONTIGUOUS : pick == 4 ? GradLayout.TRANSPOSED : GradLayout.SLICED;
    }

    // ---------------------------------------------------------------- values

    double[] uniform(long n, double lo, double hi) {
        double[] values = new double[Math.toIntExact(n)];
        for (int i = 0; i < values.length; i++) {
            values[i] = lo + (hi - lo) * random.nextDouble();
        }
        return values;
    }

    /** Magnitudes in [lo, hi] (log scale) with a random sign: divisors, reciprocals, inputs of relu and abs. */
    double[] awayFromZero(long n, double lo, double hi) {
        double[] values = positive(n, lo, hi);
        for (int i = 0; i < values.length; i++) {
            values[i] = coin() ? values[i] : -values[i];
        }
        return values;
    }

    /** Values in [lo, hi], lo > 0, spread evenly in log scale. */
    double[] positive(long n, double lo, double hi) {
        double[] values = new double[Math.toIntExact(n)];
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * random.nextDouble());
        }
        return values;
    }

    /** Pairwise distinct values at least 0.06 apart (a shuffled grid of step 0.1, jittered): no ties for max, topk, sort. */
    double[] distinct(long n) {
        List<Integer> ranks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ranks.add(i);
        }
        Collections.shuffle(ranks, random);
        double[] values = new double[ranks.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = 0.1 * (ranks.get(i) - n / 2.0) + 0.02 * (2 * random.nextDouble() - 1);
        }
        return values;
    }

    /** Values near a grid of step 0.1 shifted by {@code phase}: two draws with phases 0 and 0.05 never come within 0.02. */
    double[] onGrid(long n, double phase) {
        double[] values = new double[Math.toIntExact(n)];
        for (int i = 0; i < values.length; i++) {
            values[i] = 0.1 * between(-30, 30) + phase + 0.015 * (2 * random.nextDouble() - 1);
        }
        return values;
    }

    /** Multiples of 2^-10 in [-4, 4]: exact in F32, and still exact when stepped by 2^-10. */
    double[] f32Grid(long n) {
        double[] values = new double[Math.toIntExact(n)];
        for (int i = 0; i < values.length; i++) {
            values[i] = between(-4000, 4000) * 0x1p-10;
        }
        return values;
    }

    // ---------------------------------------------------------------- inputs

    /** An input that requires grad, in a random layout. */
    GradInput input(String name, long[] shape, double[] values) {
        return new GradInput(name, shape, values, layout(), true);
    }

    /** An input that requires no grad (a constant operand), in a random layout. */
    GradInput constant(String name, long[] shape, double[] values) {
        return new GradInput(name, shape, values, layout(), false);
    }

    /** {@code n} indices in [0, bound), repeats allowed (so that gradients must add up). */
    long[] indices(long n, long bound) {
        long[] indices = new long[Math.toIntExact(n)];
        for (int i = 0; i < indices.length; i++) {
            indices[i] = random.nextLong(bound);
        }
        return indices;
    }

    /** An I64 tensor of this shape on the device. */
    static Tensor indexTensor(long[] values, long[] shape, Device device) {
        return Tensor.of(values).view(shape).to(device);
    }

    /** A BOOL tensor of this shape on the device. */
    static Tensor maskTensor(boolean[] values, long[] shape, Device device) {
        return Tensor.of(values).view(shape).to(device);
    }

    boolean[] booleans(long n) {
        boolean[] values = new boolean[Math.toIntExact(n)];
        for (int i = 0; i < values.length; i++) {
            values[i] = coin();
        }
        return values;
    }

    /** The case of {@code op}: the weights of its loss come from this draw too. */
    GradCase done(Op op, String params, List<GradInput> inputs, GradCase.Call call) {
        return done(op, params, inputs, call, GradCase.Step.RELATIVE);
    }

    GradCase done(Op op, String params, List<GradInput> inputs, GradCase.Call call, GradCase.Step step) {
        return new GradCase(op, params, inputs, call, step, random.nextLong());
    }
}
