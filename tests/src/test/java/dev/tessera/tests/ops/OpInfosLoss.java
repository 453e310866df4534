package dev.tessera.tests.ops;

import static dev.tessera.tests.ops.Domain.INF;
import static dev.tessera.tests.ops.Tolerance.EPS;

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

/**
 * The fused cross-entropy and its gradient kernel. Logits are [C], [N, C] or [2, N, C] with N
 * from 0 and C across the vector widths (1, 16, 17, 33, 130, 1000), in every layout (a
 * transposed or sliced layout sends the class dim down the strided path). A quarter of the
 * targets are ignored; the ignore index is -100, -1 or a class id inside [0, C).
 */
final class OpInfosLoss {
    private static final long[] CLASSES = {1, 2, 5, 16, 17, 33, 130, 1000};
    private static final long[] ROWS = {0, 1, 2, 3, 4, 7};

    private OpInfosLoss() {}

    static List<OpInfo> loss() {
        return List.of(crossEntropy(), crossEntropyBackward());
    }

    private static Arbitrary<long[]> shapes() {
        return Combinators.combine(Arbitraries.integers().between(0, ROWS.length - 1),
                Arbitraries.integers().between(0, CLASSES.length - 1), Arbitraries.integers().between(1, 3))
                .as((n, c, rank) -> logitsShape(ROWS[n], CLASSES[c], rank));
    }

    private static long[] logitsShape(long rows, long classes, int rank) {
        return switch (rank) {
            case 1 -> new long[] {classes};
            case 2 -> new long[] {rows, classes};
            default -> new long[] {2, rows, classes};
        };
    }

    /** The ignore index and the targets input for logits of {@code shape}; with no classes every target is ignored. */
    private record Targets(long ignoreIndex, Input input) {
        static Targets draw(long[] shape, Random r) {
            long classes = shape[shape.length - 1];
            long ignore = switch (r.nextInt(3)) {
                case 0 -> -100;
                case 1 -> -1;
                default -> classes == 0 ? 0 : r.nextLong(classes);
            };
            Domain ids = new Domain("class ids in [0, " + classes + ") or " + ignore,
                    random -> classes == 0 || random.nextInt(4) == 0 ? ignore : random.nextLong(classes), true, new double[0]);
            long[] targetShape = Arrays.copyOf(shape, shape.length - 1);
            DType type = Cases.INDEX_TYPES.get(r.nextInt(Cases.INDEX_TYPES.size()));
            return new Targets(ignore, new Input("targets", targetShape, type, ids, Cases.layout(r), r.nextLong()));
        }
    }

    /** Logits in [-10, 10], with -infinity entries (masked classes) in a third of the cases. */
    private static Input logits(long[] shape, DType dtype, Layout layout, Random r) {
        return Cases.input("logits", shape, dtype, Cases.sometimesSpecial(Domain.uniform(-10, 10).withSpecials(-INF), r), layout, r);
    }

    /**
     * loss = m + log(sum exp(x - m)) - x[t]. The cpu sums C float exps (each within a few ulps,
     * plus the rounding of x - m, up to 10 ulps on [-10, 10]) in float lanes, so log(sum) errs by
     * up to about (12 + C) eps absolute, the rest is in double and rounded once: the budget of
     * log_softmax, 2 eps relative + 24 eps + C eps absolute.
     */
    private static OpInfo crossEntropy() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Input x = logits(shape, dtype, layout, r);
            Targets t = Targets.draw(shape, r);
            return new OpCase(Op.CROSS_ENTROPY, "ignore " + t.ignoreIndex(), List.of(x, t.input()), shape[shape.length - 1],
                    in -> List.of(Fused.crossEntropy(in.get(0), in.get(1), t.ignoreIndex())));
        };
        return OpInfo.of(Op.CROSS_ENTROPY).dtypes(Cases.FLOATS).minRank(1).shapes(shapes()).maker(maker)
                .tolerance(Tolerance.growing(2 * EPS, 24 * EPS, 0, EPS))
                .error("I64 logits", home -> Fused.crossEntropy(Cases.zeros(home, DType.I64, 2, 3),
                        Cases.zeros(home, DType.I64, 2), -100), "I64", "[2, 3]")
                .error("0-d logits", home -> Fused.crossEntropy(Cases.zeros(home, DType.F32),
                        Cases.zeros(home, DType.I64), -100), "[]")
                .error("F32 targets", home -> Fused.crossEntropy(Cases.zeros(home, DType.F32, 2, 3),
                        Cases.zeros(home, DType.F32, 2), -100), "F32", "[2]")
                .error("targets of another shape", home -> Fused.crossEntropy(Cases.zeros(home, DType.F32, 2, 3),
                        Cases.zeros(home, DType.I64, 3), -100), "[3]", "[2, 3]")
                .error("a target of C", home -> Fused.crossEntropy(Cases.zeros(home, DType.F32, 2, 3),
                        Tensor.of(new long[] {0, 3}, 2).to(home), -100), "[0, 3)", "to 3", "-100")
                .error("a negative target that is not ignore_index", home -> Fused.crossEntropy(
                        Cases.zeros(home, DType.F32, 2, 3), Tensor.of(new long[] {-1, 2}, 2).to(home), -100), "from -1")
                .error("a target with no classes", home -> Fused.crossEntropy(Cases.zeros(home, DType.F32, 2, 0),
                        Tensor.of(new long[] {-100, 0}, 2).to(home), -100), "C = 0", "1 that do not")
                .error("targets on another device", home -> Fused.crossEntropy(Cases.zeros(home, DType.F32, 2, 3),
                        Cases.zeros(Cases.other(home), DType.I64, 2), -100), "cpu", "reference")
                .build();
    }

    /**
     * g (exp(x - lse) - [c == t]), with lse the logsumexp of each device's own logits (in the loss
     * dtype) and g in [-2, 2]. exp(x - lse) carries the rounding of x - lse (|x - lse| < 20 + log C,
     * so under 24 eps of p) and each backend's lse (above: up to (12 + C) eps); p - 1 cancels, so
     * the error is absolute in |g|: 4 eps relative + 48 eps + C eps absolute.
     */
    private static OpInfo crossEntropyBackward() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Input x = logits(shape, dtype, layout, r);
            Targets t = Targets.draw(shape, r);
            DType stats = dtype == DType.F64 ? DType.F64 : DType.F32;
            Input g = Cases.input("gradLoss", t.input().shape(), stats, Domain.uniform(-2, 2), Cases.layout(r), r);
            return new OpCase(Op.CROSS_ENTROPY_BACKWARD, "ignore " + t.ignoreIndex(), List.of(g, x, t.input()),
                    shape[shape.length - 1], in -> {
                        Tensor lse = in.get(1).to(stats).logsumexp(-1);
                        return List.of(Fused.crossEntropyBackward(in.get(0), in.get(1), in.get(2), lse, t.ignoreIndex()));
                    });
        };
        return OpInfo.of(Op.CROSS_ENTROPY_BACKWARD).dtypes(Cases.FLOATS).minRank(1).shapes(shapes()).maker(maker)
                .tolerance(Tolerance.growing(4 * EPS, 48 * EPS, 0, EPS))
                .error("an F64 lse for F32 logits", home -> Fused.crossEntropyBackward(Cases.zeros(home, DType.F32, 2),
                        Cases.zeros(home, DType.F32, 2, 3), Cases.zeros(home, DType.I64, 2),
                        Cases.zeros(home, DType.F64, 2), -100), "lse", "F64", "[2]")
                .error("a gradLoss of another shape", home -> Fused.crossEntropyBackward(Cases.zeros(home, DType.F32, 3),
                        Cases.zeros(home, DType.F32, 2, 3), Cases.zeros(home, DType.I64, 2),
                        Cases.zeros(home, DType.F32, 2), -100), "gradLoss", "[3]", "[2]")
                .error("a target of C", home -> Fused.crossEntropyBackward(Cases.zeros(home, DType.F32, 2),
                        Cases.zeros(home, DType.F32, 2, 3), Tensor.of(new long[] {0, 3}, 2).to(home),
                        Cases.zeros(home, DType.F32, 2), -100), "[0, 3)")
                .error("lse on another device", home -> Fused.crossEntropyBackward(Cases.zeros(home, DType.F32, 2),
                        Cases.zeros(home, DType.F32, 2, 3), Cases.zeros(home, DType.I64, 2),
                        Cases.zeros(Cases.other(home), DType.F32, 2), -100), "cpu", "reference")
                .build();
    }
}
