package dev.tessera.tests.ops;

import static dev.tessera.tests.ops.Tolerance.EPS;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Fused;
import dev.tessera.tensor.MoePlan;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * The MoE dispatch: moe_plan, moe_permute, moe_unpermute and its gradient kernel, grouped_matmul
 * and its weight-gradient kernel. The main shape is {@code [T, H]}; the seed draws the routing:
 * K from 1 to 8, E from 1 to 64, expert ids (I64 or I32, in any layout; an expanded layout repeats
 * ids, and a quarter of the cases crowd every token onto two experts), and a capacity that is
 * dropless half the time and otherwise about the mean load or below (0 included), so that experts
 * with no tokens, ties and drops all occur. Every op builds its plan from the ids on the device it
 * runs on; the plan is exact, so both devices dispatch the same way.
 */
final class OpInfosMoe {
    private static final long[] WIDTHS = {1, 17, 33};
    private static final long[] OUT_WIDTHS = {1, 5, 17};
    /** Tokens at most in the grouped products, whose reference costs M In Out element reads. */
    private static final long PRODUCT_TOKENS = 64;

    private OpInfosMoe() {}

    static List<OpInfo> moe() {
        return List.of(plan(), permute(), unpermute(), unpermuteBackward(), groupedMatmul(), weightGrad());
    }

    /** The routing a seed draws for T tokens: ids [T, K], E and the capacity. */
    private record Routing(Input ids, int topK, int experts, long capacity) {
        static Routing draw(long tokens, Random r) {
            int topK = 1 + r.nextInt(8);
            int experts = 1 + r.nextInt(r.nextBoolean() ? 8 : 64);
            long highest = r.nextInt(4) == 0 ? Math.min(experts, 2) - 1 : experts - 1;
            Input ids = new Input("expertIds", new long[] {tokens, topK}, Cases.INDEX_TYPES.get(r.nextInt(2)),
                    Domain.integers(0, highest), Cases.layout(r), r.nextLong());
            long mean = Math.ceilDiv(tokens * topK, experts);
            long capacity = r.nextBoolean() ? Long.MAX_VALUE : r.nextLong(mean + 2);
            return new Routing(ids, topK, experts, capacity);
        }

        MoePlan plan(Tensor ids) {
            return Fused.moePlan(ids, experts, capacity);
        }

        /** The rows of an input drawn for all T K assignments, cut to the plan's M. */
        static Tensor keptRows(Tensor rows, MoePlan plan) {
            return rows.narrow(0, 0, plan.rows());
        }

        String params() {
            return "K " + topK + ", E " + experts + ", capacity " + (capacity == Long.MAX_VALUE ? "dropless" : capacity);
        }
    }

    /** T mostly from 0 to 40, sometimes up to 300; H of 1, 17, 33 (lanes and tails) or 2 to 8. */
    private static Arbitrary<long[]> shapes() {
        Arbitrary<Long> tokens = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0L)),
                Tuple.of(8, Arbitraries.longs().between(1, 40)),
                Tuple.of(2, Arbitraries.longs().between(41, 300)));
        Arbitrary<Long> width = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.longs().between(2, 8)),
                Tuple.of(3, Arbitraries.of(Arrays.stream(WIDTHS).boxed().toList())));
        return Combinators.combine(tokens, width).as((t, h) -> new long[] {t, h});
    }

    private static OpInfo.Builder entry(Op op, CaseMaker maker) {
        return OpInfo.of(op).dtypes(Cases.FLOATS).minRank(2).shapes(shapes()).maker(maker);
    }

    private static Tensor ids(Device home, long[] values, long... shape) {
        return Tensor.of(values).view(shape).to(home);
    }

    /** Tokens 0..2 routed to experts {0, 2}, {2, 2}, {1, 0}: a plan of 3 experts, M = 6. */
    private static MoePlan smallPlan(Device home) {
        return Fused.moePlan(ids(home, new long[] {0, 2, 2, 2, 1, 0}, 3, 2), 3, Long.MAX_VALUE);
    }

    private static Tensor z(Device home, long... shape) {
        return Cases.zeros(home, DType.F32, shape);
    }

    // ---------------------------------------------------------------- plan

    /** counts, order, position and dropped (as a 1-element tensor): integers, so exactly equal. */
    private static OpInfo plan() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Routing routing = Routing.draw(shape[0], r);
            return new OpCase(Op.MOE_PLAN, routing.params(), List.of(routing.ids()), in -> {
                MoePlan plan = routing.plan(in.get(0));
                return List.of(plan.counts(), plan.order(), plan.position(),
                        Tensor.of(new long[] {plan.dropped()}).to(in.get(0).device()));
            });
        };
        return OpInfo.of(Op.MOE_PLAN).dtypes(Cases.INDEX_TYPES).minRank(2).shapes(shapes()).maker(maker)
                .tolerance(Tolerance.exact())
                .error("an id equal to E", home -> Fused.moePlan(ids(home, new long[] {0, 3}, 1, 2), 3, 5),
                        "expert id 3 at [0, 1] is outside [0, 3)")
                .error("a negative id", home -> Fused.moePlan(ids(home, new long[] {-1}, 1, 1), 3, 5),
                        "expert id -1 at [0, 0] is outside [0, 3)")
                .error("F32 ids", home -> Fused.moePlan(z(home, 2, 2), 3, 5), "indices must be I32 or I64", "F32")
                .error("1-D ids", home -> Fused.moePlan(ids(home, new long[] {0, 1}, 2), 3, 5),
                        "expertIds [T, K] must have 2 dims", "[2]")
                .error("K = 0", home -> Fused.moePlan(Cases.zeros(home, DType.I64, 4, 0), 3, 5),
                        "1 <= K", "[4, 0]")
                .error("no experts", home -> Fused.moePlan(ids(home, new long[] {0}, 1, 1), 0, 5),
                        "numExperts must be >= 1, got 0")
                .error("a negative capacity", home -> Fused.moePlan(ids(home, new long[] {0}, 1, 1), 2, -1),
                        "capacity must be >= 0", "got -1")
                .build();
    }

    // ---------------------------------------------------------------- permute

    private static OpInfo permute() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Routing routing = Routing.draw(shape[0], r);
            Input x = Cases.input("x", shape, dtype, Domain.uniform(-3, 3), layout, r);
            return new OpCase(Op.MOE_PERMUTE, routing.params(), List.of(routing.ids(), x),
                    in -> List.of(Fused.moePermute(in.get(1), routing.plan(in.get(0)))));
        };
        return entry(Op.MOE_PERMUTE, maker).tolerance(Tolerance.exact())
                .error("x with another token count", home -> Fused.moePermute(z(home, 4, 5), smallPlan(home)),
                        "x [T, H] must have T = 3 (the plan's tokens) rows, got shape [4, 5]")
                .error("a 1-D x", home -> Fused.moePermute(z(home, 3), smallPlan(home)), "x [T, H] must have 2 dims", "[3]")
                .error("an integer x", home -> Fused.moePermute(Cases.zeros(home, DType.I64, 3, 2), smallPlan(home)),
                        "floating", "I64")
                .error("x on another device", home -> Fused.moePermute(z(Cases.other(home), 3, 2), smallPlan(home)),
                        "different devices")
                .build();
    }

    // ---------------------------------------------------------------- unpermute

    /** K products summed per element: within K eps of sum |w y| (exact for small integers), one more rounding for BF16/F16. */
    private static OpInfo unpermute() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Routing routing = Routing.draw(shape[0], r);
            long[] rows = {shape[0] * routing.topK(), shape[1]};
            Domain values = Cases.sometimesIntegral(Domain.uniform(-3, 3), r);
            Input yp = Cases.input("yp", rows, dtype, values, layout, r);
            Input w = Cases.input("weights", routing.ids().shape(), dtype, values, Cases.layout(r), r);
            return new OpCase(Op.MOE_UNPERMUTE, routing.params(), List.of(routing.ids(), yp, w), routing.topK(), in -> {
                MoePlan plan = routing.plan(in.get(0));
                return List.of(Fused.moeUnpermute(Routing.keptRows(in.get(1), plan), plan, in.get(2)));
            });
        };
        return entry(Op.MOE_UNPERMUTE, maker).tolerance(Tolerance.sumOfTerms(Tolerance.Summation.AT_LEAST_F32))
                .error("yp with another row count", home -> Fused.moeUnpermute(z(home, 5, 4), smallPlan(home), z(home, 3, 2)),
                        "yp [M, H] must have M = 6 (the plan's permuted rows) rows, got shape [5, 4]")
                .error("weights of the wrong shape", home -> Fused.moeUnpermute(z(home, 6, 4), smallPlan(home), z(home, 2, 3)),
                        "weights must be [T, K] = [3, 2]", "got [2, 3]")
                .error("weights of another dtype", home -> Fused.moeUnpermute(z(home, 6, 4), smallPlan(home),
                        Cases.zeros(home, DType.F64, 3, 2)), "dtypes differ (F32 [6, 4] and F64 [3, 2])")
                .error("weights on another device", home -> Fused.moeUnpermute(z(home, 6, 4), smallPlan(home),
                        z(Cases.other(home), 3, 2)), "different devices")
                .build();
    }

    /** gradYp: one product per element (a rounding); gradWeights: H-term dot products (H eps of sum |dy y|). */
    private static OpInfo unpermuteBackward() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Routing routing = Routing.draw(shape[0], r);
            long[] rows = {shape[0] * routing.topK(), shape[1]};
            Domain values = Cases.sometimesIntegral(Domain.uniform(-2, 2), r);
            Input dy = Cases.input("gradOut", shape, dtype, values, Cases.layout(r), r);
            Input yp = Cases.input("yp", rows, dtype, values, layout, r);
            Input w = Cases.input("weights", routing.ids().shape(), dtype, values, Cases.layout(r), r);
            return new OpCase(Op.MOE_UNPERMUTE_BACKWARD, routing.params(), List.of(routing.ids(), dy, yp, w), shape[1], in -> {
                MoePlan plan = routing.plan(in.get(0));
                return Arrays.asList(Fused.moeUnpermuteBackward(in.get(1), Routing.keptRows(in.get(2), plan), plan, in.get(3)));
            });
        };
        return entry(Op.MOE_UNPERMUTE_BACKWARD, maker).tolerance(Tolerance.sumOfTerms(Tolerance.Summation.AT_LEAST_F32))
                .error("a gradOut of the wrong shape", home -> Fused.moeUnpermuteBackward(z(home, 3, 5), z(home, 6, 4),
                        smallPlan(home), z(home, 3, 2)), "gradOut must be [T, H] = [3, 4], got [3, 5]")
                .error("a gradOut of another dtype", home -> Fused.moeUnpermuteBackward(Cases.zeros(home, DType.F64, 3, 4),
                        z(home, 6, 4), smallPlan(home), z(home, 3, 2)), "dtypes differ")
                .error("weights of the wrong shape", home -> Fused.moeUnpermuteBackward(z(home, 3, 4), z(home, 6, 4),
                        smallPlan(home), z(home, 3, 1)), "weights must be [T, K] = [3, 2]")
                .build();
    }

    // ---------------------------------------------------------------- grouped matmul

    /** Expert e's In-term dot products, as matmul: within In eps of |xp| |W|^T, exact for small integers. */
    private static OpInfo groupedMatmul() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Routing routing = Routing.draw(Math.min(shape[0], PRODUCT_TOKENS), r);
            long rows = routing.ids().shape()[0] * routing.topK();
            long in = shape[1];
            long out = OUT_WIDTHS[r.nextInt(OUT_WIDTHS.length)];
            Domain values = Cases.sometimesIntegral(Domain.uniform(-1, 1), r);
            Input xp = Cases.input("xp", new long[] {rows, in}, dtype, values, layout, r);
            Input w = Cases.input("weights", new long[] {routing.experts(), out, in}, dtype, values, Cases.layout(r), r);
            return new OpCase(Op.GROUPED_MATMUL, routing.params() + ", Out " + out, List.of(routing.ids(), xp, w), in, c -> {
                MoePlan plan = routing.plan(c.get(0));
                return List.of(Fused.groupedMatmul(Routing.keptRows(c.get(1), plan), plan.counts(), experts(c.get(2))));
            });
        };
        return entry(Op.GROUPED_MATMUL, maker).tolerance(Tolerance.sumOfTerms(Tolerance.Summation.AT_LEAST_F32))
                .error("counts that do not sum to xp's rows", home -> Fused.groupedMatmul(z(home, 5, 4), smallPlan(home).counts(),
                        List.of(z(home, 2, 4), z(home, 2, 4), z(home, 2, 4))), "counts sum to 6 rows, xp has 5")
                .error("a negative count", home -> Fused.groupedMatmul(z(home, 1, 4), Tensor.of(new long[] {2, -1}).to(home),
                        List.of(z(home, 2, 4), z(home, 2, 4))), "counts must be >= 0, got -1")
                .error("I32 counts", home -> Fused.groupedMatmul(z(home, 1, 4), Tensor.of(new int[] {1}).to(home),
                        List.of(z(home, 2, 4))), "counts must be I64 [E]", "I32")
                .error("fewer weights than experts", home -> Fused.groupedMatmul(z(home, 6, 4), smallPlan(home).counts(),
                        List.of(z(home, 2, 4), z(home, 2, 4))), "2 weights for 3 experts")
                .error("a weight of the wrong shape", home -> Fused.groupedMatmul(z(home, 6, 4), smallPlan(home).counts(),
                        List.of(z(home, 2, 4), z(home, 2, 5), z(home, 2, 4))),
                        "weight 1 must be [Out, In] = [2, 4]", "got [2, 5]")
                .error("a weight of another dtype", home -> Fused.groupedMatmul(z(home, 6, 4), smallPlan(home).counts(),
                        List.of(z(home, 2, 4), Cases.zeros(home, DType.F64, 2, 4), z(home, 2, 4))), "dtypes differ")
                .error("a weight on another device", home -> Fused.groupedMatmul(z(home, 6, 4), smallPlan(home).counts(),
                        List.of(z(home, 2, 4), z(home, 2, 4), z(Cases.other(home), 2, 4))), "different devices")
                .error("an integer xp", home -> Fused.groupedMatmul(Cases.zeros(home, DType.I64, 6, 4), smallPlan(home).counts(),
                        List.of(z(home, 2, 4), z(home, 2, 4), z(home, 2, 4))), "floating", "I64")
                .build();
    }

    /** dW_e sums expert e's rows: at most T K terms, each within that many eps of sum |dy x|. */
    private static OpInfo weightGrad() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Routing routing = Routing.draw(Math.min(shape[0], PRODUCT_TOKENS), r);
            long rows = routing.ids().shape()[0] * routing.topK();
            long out = OUT_WIDTHS[r.nextInt(OUT_WIDTHS.length)];
            Domain values = Cases.sometimesIntegral(Domain.uniform(-1, 1), r);
            Input dy = Cases.input("gradOut", new long[] {rows, out}, dtype, values, Cases.layout(r), r);
            Input xp = Cases.input("xp", new long[] {rows, shape[1]}, dtype, values, layout, r);
            return new OpCase(Op.GROUPED_MATMUL_WEIGHT_GRAD, routing.params() + ", Out " + out,
                    List.of(routing.ids(), dy, xp), Math.max(1, rows), c -> {
                        MoePlan plan = routing.plan(c.get(0));
                        return Arrays.asList(Fused.groupedMatmulWeightGrad(Routing.keptRows(c.get(1), plan),
                                Routing.keptRows(c.get(2), plan), plan.counts()));
                    });
        };
        return entry(Op.GROUPED_MATMUL_WEIGHT_GRAD, maker).tolerance(Tolerance.sumOfTerms(Tolerance.Summation.AT_LEAST_F32))
                .error("gradOut with other rows", home -> Fused.groupedMatmulWeightGrad(z(home, 5, 2), z(home, 6, 4),
                        smallPlan(home).counts()), "gradOut [M, Out] and xp [M, In] need the same rows, got [5, 2] and [6, 4]")
                .error("counts that do not sum to xp's rows", home -> Fused.groupedMatmulWeightGrad(z(home, 7, 2), z(home, 7, 4),
                        smallPlan(home).counts()), "counts sum to 6 rows, xp has 7")
                .error("a gradOut of another dtype", home -> Fused.groupedMatmulWeightGrad(Cases.zeros(home, DType.F64, 6, 2),
                        z(home, 6, 4), smallPlan(home).counts()), "dtypes differ")
                .build();
    }

    /** The E weights [Out, In] of a stacked [E, Out, In] tensor, as views. */
    private static List<Tensor> experts(Tensor stacked) {
        List<Tensor> weights = new ArrayList<>();
        for (long e = 0; e < stacked.shape()[0]; e++) {
            weights.add(stacked.select(0, e));
        }
        return weights;
    }
}
