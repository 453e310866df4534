package dev.tessera.tests.ops;

import static dev.tessera.tests.ops.Domain.INF;
import static dev.tessera.tests.ops.Domain.NAN;
import static dev.tessera.tests.ops.Tolerance.EPS;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.util.List;
import java.util.Random;

/** Reductions over sets of dims, and argmax / argmin. */
final class OpInfosReduce {
    private static final Reduction.Overloads SUM = new Reduction.Overloads(Tensor::sum, Tensor::sum, Tensor::sum, Tensor::sum);
    private static final Reduction.Overloads MAX = new Reduction.Overloads(Tensor::max, Tensor::max, Tensor::max, Tensor::max);
    private static final Reduction.Overloads MIN = new Reduction.Overloads(Tensor::min, Tensor::min, Tensor::min, Tensor::min);
    private static final Reduction.Overloads LOGSUMEXP =
            new Reduction.Overloads(Tensor::logsumexp, Tensor::logsumexp, Tensor::logsumexp, Tensor::logsumexp);
    private static final Reduction.Overloads MEAN = new Reduction.Overloads(Tensor::mean, Tensor::mean, Tensor::mean, Tensor::mean);

    private OpInfosReduce() {}

    static List<OpInfo> reduce() {
        Domain unit = Domain.uniform(-1, 1);
        return List.of(
                reduction(Op.SUM, SUM, Cases.ALL, unit, true)
                        // Any summation order is within n eps sum|x| of the exact sum; exact for small integers.
                        .tolerance(Tolerance.sumOfTerms(Tolerance.Summation.AT_LEAST_F32))
                        .error("dim out of range", home -> Cases.zeros(home, DType.F32, 2, 3).sum(2), "dim 2", "[2, 3]")
                        .error("a dim twice", home -> Cases.zeros(home, DType.F32, 2, 3).sum(new int[] {1, -1}, false), "[1, -1]")
                        .build(),
                reduction(Op.MEAN, MEAN, Cases.FLOATS, unit, true)
                        // The sum's bound divided by n (magnitude: mean|x|); in BF16/F16 the sum and the division each round.
                        .tolerance(Tolerance.sumOfTerms(Tolerance.Summation.AT_LEAST_F32).lowPrecisionUlps(2))
                        .error("an I32 input", home -> Cases.zeros(home, DType.I32, 2, 3).mean(), "I32", "[2, 3]")
                        .build(),
                // Picking an element rounds nothing. NaN wins, so NaN specials are drawn.
                reduction(Op.MAX, MAX, Cases.ALL, unit.withSpecials(NAN, INF, -INF), false)
                        .tolerance(Tolerance.exact())
                        .error("an empty dim", home -> Cases.zeros(home, DType.F32, 0, 3).max(0), "[0, 3]")
                        .error("dim out of range", home -> Cases.zeros(home, DType.F32, 4).max(-2), "dim -2", "[4]")
                        .build(),
                reduction(Op.MIN, MIN, Cases.ALL, unit.withSpecials(NAN, INF, -INF), false)
                        .tolerance(Tolerance.exact())
                        .error("an empty tensor", home -> Cases.zeros(home, DType.F32, 0).min(), "[0]")
                        .build(),
                // max + log(sum exp(x - max)): the sum of n positive terms has relative error <= n eps,
                // which the log turns into an absolute one; x - max rounds by up to 20 ulps on [-20, 20].
                reduction(Op.LOGSUMEXP, LOGSUMEXP, Cases.FLOATS, Domain.uniform(-20, 20), true)
                        .tolerance(Tolerance.growing(2 * EPS, 24 * EPS, 0, EPS))
                        .error("an I64 input", home -> Cases.zeros(home, DType.I64, 3, 2).logsumexp(0), "I64", "[3, 2]")
                        .build(),
                variance());
    }

    static List<OpInfo> argReduce() {
        return List.of(arg(Op.ARGMAX), arg(Op.ARGMIN));
    }

    private static OpInfo.Builder reduction(Op op, Reduction.Overloads overloads, List<DType> dtypes, Domain floats,
            boolean emptyAllowed) {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            long[] s = emptyAllowed ? shape : Shapes.withNonEmptyDim(shape);
            Domain values = Cases.domainFor(dtype, Cases.sometimesSpecial(Cases.sometimesIntegral(floats, r), r), Cases.INTEGERS);
            Input x = Cases.input("x", s, dtype, values, layout, r);
            Reduction reduction = Reduction.draw(s, emptyAllowed, r);
            return new OpCase(op, reduction.toString(), List.of(x), reduction.terms(s),
                    in -> List.of(reduction.apply(in.get(0), overloads)));
        };
        return OpInfo.of(op).dtypes(dtypes).shapes(Shapes.mostlySmall(0)).maker(maker);
    }

    /** var() (correction 1), var(dim), or var(dims, correction, keepdim) with correction 0, 1 or 2. */
    private static OpInfo variance() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Input x = Cases.input("x", shape, dtype, Cases.sometimesIntegral(Domain.uniform(-1, 1), r), layout, r);
            Reduction reduction = Reduction.draw(shape, true, r);
            int correction = r.nextInt(3);
            long terms = reduction.terms(shape);
            return switch (reduction.form()) {
                case ALL -> new OpCase(Op.VAR, "all dims", List.of(x), terms, in -> List.of(in.get(0).var()));
                case ONE_DIM -> new OpCase(Op.VAR, reduction.toString(), List.of(x), terms,
                        in -> List.of(in.get(0).var(reduction.dims()[0])));
                case ONE_DIM_KEEPDIM, DIMS -> new OpCase(Op.VAR, reduction + ", correction " + correction, List.of(x), terms,
                        in -> List.of(in.get(0).var(reduction.dims(), correction, reduction.keepdim())));
            };
        };
        // sum (x - mean)^2: n positive terms (relative error n eps). The mean's own error d <= n eps mean|x|
        // enters squared, as n d^2 / (n - correction) <= 3 (4 n eps)^2 with |x| <= 4: it is all there is
        // when x is constant along the reduced dims. A BF16/F16 result passes through four rounded
        // steps (mean, x - mean, square, sum).
        return OpInfo.of(Op.VAR).dtypes(Cases.FLOATS).shapes(Shapes.mostlySmall(0)).maker(maker)
                .tolerance(Tolerance.growing(8 * EPS, 0, EPS, 0).plusSquaredTerms(48 * EPS * EPS).lowPrecisionUlps(4))
                .error("an I32 input", home -> Cases.zeros(home, DType.I32, 4).var(), "I32", "[4]")
                .error("dim out of range", home -> Cases.zeros(home, DType.F32, 4, 2).var(3), "dim 3", "[4, 2]")
                .build();
    }

    /** argmax / argmin: all elements (flattened index) or one dim; ties go to the lowest index. */
    private static OpInfo arg(Op op) {
        boolean max = op == Op.ARGMAX;
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            long[] s = Shapes.withNonEmptyDim(shape);
            Domain values = Cases.domainFor(dtype, Cases.sometimesIntegral(Domain.uniform(-1, 1), r), Domain.integers(-3, 3));
            Input x = Cases.input("x", s, dtype, values, layout, r);
            if (Shapes.numel(s) > 0 && (s.length == 0 || r.nextInt(4) == 0)) {
                return new OpCase(op, "all dims", List.of(x), Shapes.numel(s),
                        in -> List.of(max ? in.get(0).argmax() : in.get(0).argmin()));
            }
            int d = Shapes.nonEmptyDim(s, r);
            int dim = Shapes.maybeNegative(d, s.length, r);
            boolean keepdim = r.nextBoolean();
            return new OpCase(op, "dim " + dim + ", keepdim " + keepdim, List.of(x), s[d],
                    in -> List.of(max ? in.get(0).argmax(dim, keepdim) : in.get(0).argmin(dim, keepdim)));
        };
        return OpInfo.of(op).dtypes(Cases.NUMERIC).shapes(Shapes.mostlySmall(0)).maker(maker)
                .tolerance(Tolerance.exact())
                .error("an empty dim", home -> argOf(op, Cases.zeros(home, DType.F32, 3, 0), 1), "[3, 0]")
                .error("an empty tensor", home -> argOfAll(op, Cases.zeros(home, DType.F32, 0, 2)), "[0, 2]")
                .error("a BOOL input", home -> argOf(op, Cases.zeros(home, DType.BOOL, 5), 0), "BOOL", "[5]")
                .error("dim out of range", home -> argOf(op, Cases.zeros(home, DType.F32, 5), 1), "dim 1", "[5]")
                .build();
    }

    private static Tensor argOfAll(Op op, Tensor x) {
        return op == Op.ARGMAX ? x.argmax() : x.argmin();
    }

    private static Tensor argOf(Op op, Tensor x, int dim) {
        return op == Op.ARGMAX ? x.argmax(dim, false) : x.argmin(dim, false);
    }
}
