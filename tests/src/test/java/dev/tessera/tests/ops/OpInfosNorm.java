package dev.tessera.tests.ops;

import static dev.tessera.tests.ops.Domain.INF;
import static dev.tessera.tests.ops.Domain.NAN;
import static dev.tessera.tests.ops.Tolerance.EPS;

import dev.tessera.autograd.Node;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/** rms_norm and its gradient kernel rms_norm_backward: the fused RMSNorm over the last dim. */
final class OpInfosNorm {
    private static final double[] EPSILONS = {1e-6, 1e-5, 0.1, 0};

    private OpInfosNorm() {}

    static List<OpInfo> norm() {
        return List.of(forward(), backward());
    }

    /**
     * Rows of 0, 1 or many (up to three leading dims) and a last dim n of 1, 16, 17, 33, 130 (vector
     * lanes, tails, the 4-vector blocks) or anything from 1 to 7.
     */
    private static Arbitrary<long[]> shapes() {
        Arbitrary<Long> n = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.longs().between(1, 7)),
                Tuple.of(4, Arbitraries.of(1L, 16L, 17L, 33L, 130L)));
        Arbitrary<long[]> lead = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(new long[0])),
                Tuple.of(4, Shapes.sizes().list().ofMinSize(1).ofMaxSize(3).map(Shapes::toArray)));
        return Combinators.combine(lead, n).as((rows, last) -> Shapes.with(rows, rows.length, last))
                .filter(s -> Shapes.numel(s) <= Shapes.SMALL_NUMEL);
    }

    /** An empty last dim is refused; the edge shapes' empty case becomes zero rows of 3. */
    private static long[] withNonEmptyLastDim(long[] shape) {
        return shape[shape.length - 1] == 0 ? Shapes.with(shape, shape.length, 3) : shape;
    }

    private static long[] rows(long[] shape) {
        return Arrays.copyOf(shape, shape.length - 1);
    }

    /**
     * Outputs y and the saved rstd (read from the recorded node). Values: mostly [-3, 3]; a quarter
     * of the cases draw magnitudes from 1e-25 to 1e25, whose F32 squares overflow and underflow (the
     * cpu backend must then redo the sum in double and agree with the reference); some cases mix in
     * zeros, NaN and infinities (an infinity gives r = 0, and NaN where it meets 0).
     *
     * <p>Tolerance: the F32 sum of n positive squares errs by at most n/2 eps relative (one serial
     * chain in the scalar fallback; n / 128 eps with 4 x 16 lanes), r by half that plus its own
     * rounding, y by two more roundings: (4 + n/4) eps relative, and the float's subnormal spacing
     * for results that underflow. BF16/F16 y: one ulp of the type, since the reference rounds the
     * exact value once and the cpu rounds a float within a few eps of it. Worst seen over 6000 F32
     * cases: 0.40 of the bound for y, 0.24 for rstd.
     */
    private static OpInfo forward() {
        CaseMaker maker = (drawn, dtype, layout, seed) -> {
            Random r = new Random(seed);
            long[] shape = withNonEmptyLastDim(drawn);
            long n = shape[shape.length - 1];
            Input x = Cases.input("x", shape, dtype, values(r), layout, r);
            Input w = Cases.input("weight", new long[] {n}, dtype, Domain.uniform(-2, 2), Cases.layout(r), r);
            double eps = EPSILONS[r.nextInt(EPSILONS.length)];
            return new OpCase(Op.RMS_NORM, "eps " + eps, List.of(x, w), n, in -> {
                Tensor y = Fused.rmsNorm(in.get(0).requiresGrad(true), in.get(1), eps);
                return List.of(y.detach(), ((Node) y.gradNode()).output(1).detach());
            });
        };
        return OpInfo.of(Op.RMS_NORM).dtypes(Cases.FLOATS).minRank(1).shapes(shapes()).maker(maker)
                .tolerance(Tolerance.growing(4 * EPS, Float.MIN_NORMAL, EPS / 4, 0))
                .error("an I64 x", home -> Fused.rmsNorm(Cases.zeros(home, DType.I64, 2, 3), Cases.zeros(home, DType.I64, 3), 1e-6),
                        "I64", "[2, 3]")
                .error("a 0-d x", home -> Fused.rmsNorm(Cases.zeros(home, DType.F32), Cases.zeros(home, DType.F32, 1), 1e-6),
                        "x needs a non-empty last dim", "[]")
                .error("an empty last dim", home -> Fused.rmsNorm(Cases.zeros(home, DType.F32, 2, 0), Cases.zeros(home, DType.F32, 0), 1e-6),
                        "x needs a non-empty last dim", "[2, 0]")
                .error("a weight of the wrong size", home -> Fused.rmsNorm(Cases.zeros(home, DType.F32, 2, 3), Cases.zeros(home, DType.F32, 4), 1e-6),
                        "weight must be 1-D of size 3 (x's last dim), got shape [4] for x of shape [2, 3]")
                .error("a 2-D weight", home -> Fused.rmsNorm(Cases.zeros(home, DType.F32, 2, 3), Cases.zeros(home, DType.F32, 1, 3), 1e-6),
                        "weight must be 1-D of size 3", "got shape [1, 3]")
                .error("a weight of another dtype", home -> Fused.rmsNorm(Cases.zeros(home, DType.BF16, 2, 3), Cases.zeros(home, DType.F32, 3), 1e-6),
                        "dtypes differ (BF16 [2, 3] and F32 [3])")
                .error("a weight on another device", home -> Fused.rmsNorm(Cases.zeros(home, DType.F32, 2, 3), Cases.zeros(Cases.other(home), DType.F32, 3), 1e-6),
                        "different devices")
                .error("a negative eps", home -> Fused.rmsNorm(Cases.zeros(home, DType.F32, 2, 3), Cases.zeros(home, DType.F32, 3), -1e-6),
                        "eps must be finite and >= 0, got -1.0E-6")
                .error("a NaN eps", home -> Fused.rmsNorm(Cases.zeros(home, DType.F32, 3), Cases.zeros(home, DType.F32, 3), Double.NaN),
                        "eps must be finite and >= 0, got NaN")
                .build();
    }

    private static Domain values(Random r) {
        return switch (r.nextInt(8)) {
            case 0, 1 -> Domain.awayFromZero(1e-25, 1e25);
            case 2 -> Domain.uniform(-3, 3).withSpecials(0, NAN, INF, -INF);
            default -> Domain.uniform(-3, 3);
        };
    }

    /**
     * gradX and gradWeight from random gradOut, x, weight and rstd (the formula holds for any r).
     * Terms: n + rows. With |dy| <= 1, |x| <= 3, |w| <= 2 and r <= 2, |g| <= 2, |xhat| <= 6 and
     * |mean(g xhat)| <= 12: gradX = r (g - xhat mean) is a few roundings of terms up to 150, which
     * may cancel (4 eps relative plus 64 eps absolute), and the mean's float sum adds up to an eps
     * per term of |g xhat| / n. gradWeight is one float sum per chunk of rows of products up to
     * 12, whose error grows with the rows: 8 eps per term. Worst seen over 6000 F32 cases: 0.32 of
     * the bound for gradX, 0.46 for gradWeight; BF16/F16 outputs add one ulp of their type.
     */
    private static OpInfo backward() {
        CaseMaker maker = (drawn, dtype, layout, seed) -> {
            Random r = new Random(seed);
            long[] shape = withNonEmptyLastDim(drawn);
            long n = shape[shape.length - 1];
            DType stats = dtype == DType.F64 ? DType.F64 : DType.F32;
            Input dy = Cases.input("gradOut", shape, dtype, Domain.uniform(-1, 1), Cases.layout(r), r);
            Input x = Cases.input("x", shape, dtype, Domain.uniform(-3, 3), layout, r);
            Input w = Cases.input("weight", new long[] {n}, dtype, Domain.uniform(-2, 2), Cases.layout(r), r);
            Input rstd = Cases.input("rstd", rows(shape), stats, Domain.positive(0.5, 2), Cases.layout(r), r);
            return new OpCase(Op.RMS_NORM_BACKWARD, "", List.of(dy, x, w, rstd), n + Shapes.numel(rows(shape)),
                    in -> List.of(Fused.rmsNormBackward(in.get(0), in.get(1), in.get(2), in.get(3))));
        };
        return OpInfo.of(Op.RMS_NORM_BACKWARD).dtypes(Cases.FLOATS).minRank(1).shapes(shapes()).maker(maker)
                .tolerance(Tolerance.growing(4 * EPS, 64 * EPS, 0, 8 * EPS))
                .error("a gradOut of another shape", home -> Fused.rmsNormBackward(Cases.zeros(home, DType.F32, 2, 4),
                        Cases.zeros(home, DType.F32, 2, 3), Cases.zeros(home, DType.F32, 3), Cases.zeros(home, DType.F32, 2)),
                        "gradOut has shape [2, 4], x has [2, 3]")
                .error("a gradOut of another dtype", home -> Fused.rmsNormBackward(Cases.zeros(home, DType.F64, 2, 3),
                        Cases.zeros(home, DType.F32, 2, 3), Cases.zeros(home, DType.F32, 3), Cases.zeros(home, DType.F32, 2)),
                        "dtypes differ (F32 [2, 3] and F64 [2, 3])")
                .error("an F64 rstd for F32 x", home -> Fused.rmsNormBackward(Cases.zeros(home, DType.F32, 2, 3),
                        Cases.zeros(home, DType.F32, 2, 3), Cases.zeros(home, DType.F32, 3), Cases.zeros(home, DType.F64, 2)),
                        "rstd must be F32 [2] for x F32 [2, 3], got F64 [2]")
                .error("an rstd of the wrong shape", home -> Fused.rmsNormBackward(Cases.zeros(home, DType.BF16, 2, 3),
                        Cases.zeros(home, DType.BF16, 2, 3), Cases.zeros(home, DType.BF16, 3), Cases.zeros(home, DType.F32, 2, 1)),
                        "rstd must be F32 [2] for x BF16 [2, 3], got F32 [2, 1]")
                .error("a weight of the wrong size", home -> Fused.rmsNormBackward(Cases.zeros(home, DType.F32, 3),
                        Cases.zeros(home, DType.F32, 3), Cases.zeros(home, DType.F32, 2), Cases.zeros(home, DType.F32)),
                        "weight must be 1-D of size 3 (x's last dim), got shape [2]")
                .build();
    }
}
