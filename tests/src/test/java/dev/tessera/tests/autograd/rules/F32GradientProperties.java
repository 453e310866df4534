package dev.tessera.tests.autograd.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Op;
import java.util.Arrays;
import java.util.List;

/**
 * The rules run on any backend: the gradients of every gradient case computed on a backend
 * ({@link #device()}) in F32 agree with the F64 reference-backend gradients. Per input, the check is norm-wise:
 * {@code max|cpu - ref| <= tol * eps32 * max(1, max|ref|)}. Norm-wise because an F32 gradient
 * element errs in proportion to the terms it was combined from (a broadcast sum of weights of
 * both signs, a softmax's y (g - sum g y)), not to its own value, which cancellation can make
 * tiny; the floor of 1 is the size of the loss weights every gradient starts from.
 */
abstract class F32GradientProperties extends GroupedGradProperties {
    /** The F32 machine epsilon, 2^-23. */
    private static final double EPS = 0x1p-23;

    /**
     * The tolerance of each family in F32 epsilons, with the worst measured over 1000 cases per op.
     * Inputs and weights are rounded to F32 first, half an epsilon each.
     */
    private static double tolerance(Op.Group group) {
        return switch (group) {
            // The gradient is the F32-rounded weights copied or cut into pieces, nothing added: half an epsilon.
            case COPY, JOIN -> 0.5;
            // A slope of a few roundings and the backend's transcendental (a few ulps), at an input that
            // moved by half an ulp; softmax and logsumexp add a short sum (worst seen: 4.2 eps).
            case UNARY, REDUCE, ALONG_DIM -> 16;
            // Gradients of repeated indices and of broadcast dims are F32 sums of up to 60 weights of
            // both signs (worst seen: 6.9 eps, expand to 81 elements).
            case TERNARY, INDEX, MOVEMENT -> 16;
            // k <= 5 products per element, then a batch sum of up to 6 (worst seen: 3.4 eps).
            case MATMUL -> 32;
            // Broadcast sums of terms larger than their total: pow's b a^(b-1) reaches 50 for a = 0.3
            // (worst seen: 33 eps).
            case BINARY -> 128;
            // g (exp(x - lse) - onehot): lse is an F32 log of a short F32 sum, x - lse rounds by |x - lse| ulps,
            // then exp and the product; the same budget as softmax.
            case LOSS -> 16;
            // gradX = r g - r^3 x mean(g x): two terms larger than their difference, each a few
            // roundings off, r itself rounded to F32 once (worst seen: 13.4 eps over 1000 cases).
            case NORM -> 32;
            // A softmax over at most 4 keys of 3-term scores, then sums over rows and grouped heads.
            case ATTENTION -> 32;
            // Row copies, K-term weighted sums and per-slot dot products of up to 4 terms, grouped
            // products of up to 4 terms summed over up to 3 rows per expert.
            case MOE -> 32;
            case COMPARISON, ARG_REDUCE -> throw new IllegalArgumentException(group + " has no gradient");
        };
    }

    /** The backend under test. */
    abstract Device device();

    @Override
    void check(GradCase c) {
        List<double[]> reference = GradCheck.analytic(c, DType.F64, Device.reference());
        List<double[]> cpu = GradCheck.analytic(c, DType.F32, device());
        assertEquals(reference.size(), cpu.size(), c + ": one gradient per input that requires grad");
        double tolerance = tolerance(c.op().group());
        for (int i = 0; i < reference.size(); i++) {
            double[] r = reference.get(i);
            double[] f = cpu.get(i);
            double scale = 1;
            double worst = 0;
            for (int e = 0; e < r.length; e++) {
                scale = Math.max(scale, Math.abs(r[e]));
                worst = Math.max(worst, Math.abs(f[e] - r[e]));
            }
            if (!(worst <= tolerance * EPS * scale)) {
                throw new AssertionError(c + ": the " + device() + " F32 gradient " + i + " is " + Arrays.toString(f)
                        + ", the reference F64 one " + Arrays.toString(r) + "; off by " + worst / (EPS * scale)
                        + " eps (of " + scale + "), tolerance " + tolerance + " eps");
            }
        }
    }
}
