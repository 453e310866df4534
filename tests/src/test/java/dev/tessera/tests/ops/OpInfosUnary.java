package dev.tessera.tests.ops;

import static dev.tessera.tests.ops.Domain.INF;
import static dev.tessera.tests.ops.Domain.NAN;
import static dev.tessera.tests.ops.Tolerance.EPS;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * Elementwise unary ops. Domains keep each function well defined and finite (log on positives,
 * exp in [-80, 80], reciprocal away from 0); specials are mixed in where IEEE says what the
 * function gives (exp(-inf) = 0, log(0) = -inf, tanh(inf) = 1).
 */
final class OpInfosUnary {
    private OpInfosUnary() {}

    static List<OpInfo> unary() {
        Domain signed = Domain.uniform(-10, 10);
        return List.of(
                // Sign and comparison only: no rounding anywhere.
                integerToo(Op.NEG, Tensor::neg, signed.withSpecials(NAN, INF, -INF), Tolerance.exact()),
                integerToo(Op.ABS, Tensor::abs, signed.withSpecials(NAN, INF, -INF), Tolerance.exact()),
                integerToo(Op.RELU, Tensor::relu, signed.withSpecials(NAN, INF, -INF), Tolerance.exact()),
                // One multiplication, correctly rounded in float and in double-then-float alike.
                integerToo(Op.SQUARE, Tensor::square, signed.withSpecials(NAN, INF, -INF), Tolerance.exact()),
                // Relative error of exp is the polynomial's few ulps (x itself is exact); no cancellation.
                floating(Op.EXP, Tensor::exp, Domain.uniform(-80, 80).withSpecials(NAN, INF, -INF),
                        Tolerance.ulps(4, Float.MIN_NORMAL)),
                // log(x) near x = 1 is near 0: its error there is absolute, about one ulp of 1.
                floating(Op.LOG, Tensor::log, Domain.positive(1e-3, 1e3).withSpecials(NAN, INF, 0),
                        Tolerance.ulps(4, 2 * EPS)),
                // IEEE sqrt is correctly rounded; rounding the double sqrt to float gives the same value.
                floating(Op.SQRT, Tensor::sqrt, Domain.positive(1e-3, 1e3).withSpecials(NAN, INF, 0),
                        Tolerance.exact()),
                // 1 / sqrt(x) in float is two correctly rounded steps (or a polynomial): within 3 ulps.
                floating(Op.RSQRT, Tensor::rsqrt, Domain.positive(1e-3, 1e3).withSpecials(NAN, INF, 0),
                        Tolerance.ulps(3, 0)),
                // Range reduction of |x| <= 10 leaves an absolute error of a few ulps of 1 near the zeros.
                floating(Op.SIN, Tensor::sin, signed.withSpecials(NAN, INF, -INF), Tolerance.ulps(4, 4 * EPS)),
                floating(Op.COS, Tensor::cos, signed.withSpecials(NAN, INF, -INF), Tolerance.ulps(4, 4 * EPS)),
                // tanh built from exp cancels near 0: absolute error of about an ulp of 1 there.
                floating(Op.TANH, Tensor::tanh, signed.withSpecials(NAN, INF, -INF), Tolerance.ulps(4, 2 * EPS)),
                // 1 / (1 + exp(-x)): exp's few ulps pass through undamped, plus two roundings.
                floating(Op.SIGMOID, Tensor::sigmoid, Domain.uniform(-20, 20).withSpecials(NAN, INF, -INF),
                        Tolerance.ulps(6, Float.MIN_NORMAL)),
                // x * sigmoid(x): one more rounding than sigmoid. (silu(-inf) is NaN or 0 by formula: not drawn.)
                floating(Op.SILU, Tensor::silu, Domain.uniform(-20, 20).withSpecials(NAN), Tolerance.ulps(8, Float.MIN_NORMAL)),
                // 0.5 x (1 + tanh(..)) cancels for negative x: absolute error |x| * a few ulps of 1, |x| <= 10.
                floating(Op.GELU_TANH, Tensor::geluTanh, signed.withSpecials(NAN), Tolerance.ulps(8, 32 * EPS)),
                // 0.5 x (1 + erf(x / sqrt 2)): float erf approximations err by ~1e-7 absolute, times |x| <= 10.
                floating(Op.GELU_ERF, Tensor::gelu, signed.withSpecials(NAN), Tolerance.ulps(8, 32 * EPS)),
                // One division, correctly rounded in both; 1/0 = inf and 1/inf = 0 are IEEE.
                floating(Op.RECIPROCAL, Tensor::reciprocal, Domain.awayFromZero(1e-3, 1e3).withSpecials(NAN, INF, -INF, 0),
                        Tolerance.exact()));
    }

    /** An op defined on floats only: any integer or BOOL input is refused. */
    private static OpInfo floating(Op op, UnaryOperator<Tensor> call, Domain domain, Tolerance tolerance) {
        return OpInfo.of(op).dtypes(Cases.FLOATS).maker(maker(op, call, domain)).tolerance(tolerance)
                .error("an I32 input", home -> call.apply(Cases.zeros(home, DType.I32, 2, 3)), "I32", "[2, 3]")
                .error("a BOOL input", home -> call.apply(Cases.zeros(home, DType.BOOL, 4)), "BOOL", "[4]")
                .build();
    }

    /** An op that keeps integer dtypes too (neg, abs, relu, square); only BOOL is refused. */
    private static OpInfo integerToo(Op op, UnaryOperator<Tensor> call, Domain domain, Tolerance tolerance) {
        return OpInfo.of(op).dtypes(Cases.NUMERIC).maker(maker(op, call, domain)).tolerance(tolerance)
                .error("a BOOL input", home -> call.apply(Cases.zeros(home, DType.BOOL, 2, 3)), "BOOL", "[2, 3]")
                .build();
    }

    private static CaseMaker maker(Op op, UnaryOperator<Tensor> call, Domain floats) {
        return (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Domain domain = Cases.domainFor(dtype, Cases.sometimesSpecial(floats, r), Cases.INTEGERS);
            Input x = Cases.input("x", shape, dtype, domain, layout, r);
            return new OpCase(op, "", List.of(x), in -> List.of(call.apply(in.get(0))));
        };
    }
}
