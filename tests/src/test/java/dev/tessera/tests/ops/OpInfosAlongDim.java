package dev.tessera.tests.ops;

import static dev.tessera.tests.ops.Domain.INF;
import static dev.tessera.tests.ops.Domain.NAN;
import static dev.tessera.tests.ops.Tolerance.EPS;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.ValuesIndices;
import java.util.List;
import java.util.Random;

/** softmax, log_softmax, cumsum, topk, sort and argsort: ops along one dim. */
final class OpInfosAlongDim {
    private OpInfosAlongDim() {}

    static List<OpInfo> alongDim() {
        return List.of(softmax(Op.SOFTMAX), softmax(Op.LOG_SOFTMAX), cumsum(), topk(), sort(Op.SORT), sort(Op.ARGSORT));
    }

    /**
     * exp(x - max) / sum: x - max rounds by up to 20 ulps on [-10, 10] and exp keeps that relative
     * error; the sum of n positive terms adds n eps. log_softmax is x - max - log(sum): the same
     * errors, absolute. -inf entries (masked positions) are drawn: they must give 0 (or -inf).
     */
    private static OpInfo softmax(Op op) {
        boolean log = op == Op.LOG_SOFTMAX;
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Domain values = Cases.sometimesSpecial(Domain.uniform(-10, 10).withSpecials(-INF), r);
            Input x = Cases.input("x", shape, dtype, values, layout, r);
            int d = r.nextInt(shape.length);
            int dim = Shapes.maybeNegative(d, shape.length, r);
            return new OpCase(op, "dim " + dim, List.of(x), shape[d],
                    in -> List.of(log ? in.get(0).logSoftmax(dim) : in.get(0).softmax(dim)));
        };
        Tolerance tolerance = log
                ? Tolerance.growing(2 * EPS, 24 * EPS, 0, EPS)
                : Tolerance.growing(24 * EPS, Float.MIN_NORMAL, EPS, 0);
        return OpInfo.of(op).dtypes(Cases.FLOATS).minRank(1).shapes(Shapes.mostlySmall(1)).maker(maker).tolerance(tolerance)
                .error("an I64 input", home -> callSoftmax(log, Cases.zeros(home, DType.I64, 2, 3), 1), "I64", "[2, 3]")
                .error("dim out of range", home -> callSoftmax(log, Cases.zeros(home, DType.F32, 2, 3), 2), "dim 2", "[2, 3]")
                .error("a scalar (no dim to work along)", home -> callSoftmax(log, Cases.zeros(home, DType.F32), 0), "dim 0", "[]")
                .build();
    }

    private static Tensor callSoftmax(boolean log, Tensor x, int dim) {
        return log ? x.logSoftmax(dim) : x.softmax(dim);
    }

    /** A running sum: element i sums i + 1 terms; the bound uses the dim's length. Integers and BOOL sum exactly into I64. */
    private static OpInfo cumsum() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Domain values = Cases.domainFor(dtype, Cases.sometimesIntegral(Domain.uniform(-1, 1), r), Cases.INTEGERS);
            Input x = Cases.input("x", shape, dtype, values, layout, r);
            int d = r.nextInt(shape.length);
            int dim = Shapes.maybeNegative(d, shape.length, r);
            return new OpCase(Op.CUMSUM, "dim " + dim, List.of(x), shape[d], in -> List.of(in.get(0).cumsum(dim)));
        };
        return OpInfo.of(Op.CUMSUM).dtypes(Cases.ALL).minRank(1).shapes(Shapes.mostlySmall(1)).maker(maker)
                .tolerance(Tolerance.sumOfTerms(Tolerance.Summation.AT_LEAST_F32))
                .error("dim out of range", home -> Cases.zeros(home, DType.F32, 4, 5).cumsum(-3), "dim -3", "[4, 5]")
                .build();
    }

    /** Small integers in half the cases make ties, which must go to the lower index; NaN ranks above every number. */
    private static Domain orderValues(DType dtype, Random r) {
        Domain floats = Cases.sometimesSpecial(Cases.sometimesIntegral(Domain.uniform(-1, 1).withSpecials(NAN, INF, -INF), r), r);
        return Cases.domainFor(dtype, floats, Domain.integers(-3, 3));
    }

    private static OpInfo topk() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Input x = Cases.input("x", shape, dtype, orderValues(dtype, r), layout, r);
            if (r.nextInt(4) == 0) {
                int k = r.nextInt((int) shape[shape.length - 1] + 1);
                return new OpCase(Op.TOPK, "k " + k, List.of(x), in -> both(in.get(0).topk(k)));
            }
            int d = r.nextInt(shape.length);
            int dim = Shapes.maybeNegative(d, shape.length, r);
            int k = r.nextInt((int) shape[d] + 1);
            boolean largest = r.nextBoolean();
            return new OpCase(Op.TOPK, "k " + k + ", dim " + dim + ", largest " + largest, List.of(x),
                    in -> both(in.get(0).topk(k, dim, largest)));
        };
        return OpInfo.of(Op.TOPK).dtypes(Cases.NUMERIC).minRank(1).maker(maker).tolerance(Tolerance.exact())
                .error("k above the dim's size", home -> Cases.zeros(home, DType.F32, 3).topk(4), "k = 4", "[3]")
                .error("negative k", home -> Cases.zeros(home, DType.F32, 2, 3).topk(-1, 0, true), "k = -1", "[2, 3]")
                .error("a BOOL input", home -> Cases.zeros(home, DType.BOOL, 3).topk(1), "BOOL", "[3]")
                .error("dim out of range", home -> Cases.zeros(home, DType.F32, 3).topk(1, 1, true), "dim 1", "[3]")
                .build();
    }

    /** sort gives values and indices, argsort the indices; both are stable (ties keep their order). */
    private static OpInfo sort(Op op) {
        boolean arg = op == Op.ARGSORT;
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Input x = Cases.input("x", shape, dtype, orderValues(dtype, r), layout, r);
            int d = r.nextInt(shape.length);
            int dim = Shapes.maybeNegative(d, shape.length, r);
            boolean descending = r.nextBoolean();
            return new OpCase(op, "dim " + dim + ", descending " + descending, List.of(x), in -> arg
                    ? List.of(in.get(0).argsort(dim, descending))
                    : both(in.get(0).sort(dim, descending)));
        };
        return OpInfo.of(op).dtypes(Cases.NUMERIC).minRank(1).maker(maker).tolerance(Tolerance.exact())
                .error("dim out of range", home -> callSort(arg, Cases.zeros(home, DType.F32, 2, 3), 2), "dim 2", "[2, 3]")
                .error("a BOOL input", home -> callSort(arg, Cases.zeros(home, DType.BOOL, 4), 0), "BOOL", "[4]")
                .build();
    }

    private static Object callSort(boolean arg, Tensor x, int dim) {
        return arg ? x.argsort(dim, false) : x.sort(dim, false);
    }

    private static List<Tensor> both(ValuesIndices result) {
        return List.of(result.values(), result.indices());
    }
}
