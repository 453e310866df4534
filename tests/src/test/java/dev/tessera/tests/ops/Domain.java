package dev.tessera.tests.ops;

import java.util.Arrays;
import java.util.Random;

/**
 * How the values of one input are drawn: a range where the op is safe and well conditioned,
 * whether the values are small integers (which makes float sums exact in any order), and the
 * IEEE special values that replace a few of them when the op defines what specials do.
 */
record Domain(String name, Sampler sampler, boolean integral, double[] specials) {
    /** Share of elements replaced by a special: enough to reach every kernel path, few enough to leave most values ordinary. */
    private static final double SPECIAL_RATE = 0.05;

    static final double NAN = Double.NaN;
    static final double INF = Double.POSITIVE_INFINITY;

    /** Draws one ordinary value. */
    interface Sampler {
        double draw(Random random);
    }

    static Domain uniform(double lo, double hi) {
        return new Domain("uniform[" + lo + ", " + hi + "]", r -> lo + (hi - lo) * r.nextDouble(), false, new double[0]);
    }

    /** Integers in {@code [lo, hi]}: ties for max, sort and topk; exact sums in float. */
    static Domain integers(long lo, long hi) {
        return new Domain("integers[" + lo + ", " + hi + "]", r -> lo + r.nextLong(hi - lo + 1), true, new double[0]);
    }

    /** Positive values spread evenly in log scale over {@code [lo, hi]}: log, sqrt, pow bases. */
    static Domain positive(double lo, double hi) {
        return new Domain("positive[" + lo + ", " + hi + "]", r -> logUniform(r, lo, hi), false, new double[0]);
    }

    /** Magnitudes in {@code [lo, hi]} (log scale) with a random sign: divisors, reciprocals, casts. */
    static Domain awayFromZero(double lo, double hi) {
        return new Domain("±[" + lo + ", " + hi + "]",
                r -> (r.nextBoolean() ? 1 : -1) * logUniform(r, lo, hi), false, new double[0]);
    }

    /** The same domain with these specials (NaN, infinities, zero) mixed in. */
    Domain withSpecials(double... values) {
        return new Domain(name, sampler, integral, values.clone());
    }

    Domain withoutSpecials() {
        return specials.length == 0 ? this : new Domain(name, sampler, integral, new double[0]);
    }

    double draw(Random random) {
        if (specials.length > 0 && random.nextDouble() < SPECIAL_RATE) {
            return specials[random.nextInt(specials.length)];
        }
        return sampler.draw(random);
    }

    private static double logUniform(Random r, double lo, double hi) {
        return Math.exp(Math.log(lo) + (Math.log(hi) - Math.log(lo)) * r.nextDouble());
    }

    @Override
    public String toString() {
        return specials.length == 0 ? name : name + " with " + Arrays.toString(specials);
    }
}
