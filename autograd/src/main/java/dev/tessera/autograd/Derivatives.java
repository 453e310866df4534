package dev.tessera.autograd;

import dev.tessera.tensor.Op;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The derivative rule of every recorded op, and where every other op of the catalog stands.
 * Each {@link Op} is in exactly one of four sets:
 * <ul>
 *   <li>{@link #differentiated()}: recorded ops, each with its {@link Rule} (written with tensor
 *       ops, so it runs on any backend; the tables are in {@code ElementwiseRules},
 *       {@code ReductionRules}, {@code IndexingRules}, {@code MovementRules}, and one file per
 *       fused op: {@code LossRules}, {@code NormRules}, {@code AttentionRules}, {@code MoeRules});
 *   <li>{@link #composites()}: never recorded themselves, differentiable through the recorded ops
 *       they are built from (mean is a sum and a division; sort is a topk; stack is unsqueezes
 *       and a cat; split and chunk are slices; embedding is an index_select);
 *   <li>{@link #nonDifferentiable()}: ops whose outputs are BOOL or integers (comparisons,
 *       argmax, argmin, argsort, one_hot, moe_plan); they carry no gradient and never get nodes;
 *   <li>{@link #gradientKernels()}: kernels that compute a fused op's gradient: they run inside
 *       rules, where nothing is recorded, so they need no rule of their own.
 * </ul>
 * Broadcasting needs no rule of its own: operands arrive expanded, and EXPAND's rule sums.
 */
public final class Derivatives {
    private static final Map<Op, Rule> RULES = table();

    private static final Set<Op> COMPOSITES = Collections.unmodifiableSet(EnumSet.of(
            Op.MEAN, Op.VAR, Op.MASKED_FILL, Op.SORT, Op.EMBEDDING, Op.STACK, Op.SPLIT, Op.CHUNK));

    private static final Set<Op> NON_DIFFERENTIABLE = Collections.unmodifiableSet(EnumSet.of(
            Op.EQ, Op.NE, Op.LT, Op.LE, Op.GT, Op.GE, Op.ARGMAX, Op.ARGMIN, Op.ARGSORT, Op.ONE_HOT, Op.MOE_PLAN));

    private static final Set<Op> GRADIENT_KERNELS = Collections.unmodifiableSet(EnumSet.of(
            Op.CROSS_ENTROPY_BACKWARD, Op.RMS_NORM_BACKWARD, Op.ATTENTION_BACKWARD,
            Op.MOE_UNPERMUTE_BACKWARD, Op.GROUPED_MATMUL_WEIGHT_GRAD));

    private Derivatives() {}

    /**
     * The rule of a recorded op.
     *
     * @throws IllegalStateException for an op that has none: a composite or an op without a
     *     gradient, which no node can hold
     */
    public static Rule rule(Op op) {
        Rule rule = RULES.get(op);
        if (rule == null) {
            String why = COMPOSITES.contains(op) ? "a composite, differentiated through the ops it is built from"
                    : NON_DIFFERENTIABLE.contains(op) ? "an op without a gradient (its outputs are not floating)"
                    : GRADIENT_KERNELS.contains(op) ? "a gradient kernel, run inside a fused op's rule"
                    : "not classified: add a rule, or list it as a composite or as non-differentiable";
            throw new IllegalStateException("no derivative rule for " + op.opName() + ": it is " + why
                    + ", and is never recorded");
        }
        return rule;
    }

    /** The ops with a derivative rule: every op that records itself with floating outputs. */
    public static Set<Op> differentiated() {
        return Collections.unmodifiableSet(RULES.keySet());
    }

    /** The ops differentiable only through their parts: never recorded, so they have no rule. */
    public static Set<Op> composites() {
        return COMPOSITES;
    }

    /** The ops with no gradient at all: comparisons and ops that return indices. */
    public static Set<Op> nonDifferentiable() {
        return NON_DIFFERENTIABLE;
    }

    /** The kernels that compute a fused op's gradient: they run inside rules, where nothing is recorded. */
    public static Set<Op> gradientKernels() {
        return GRADIENT_KERNELS;
    }

    private static Map<Op, Rule> table() {
        Map<Op, Rule> table = new EnumMap<>(Op.class);
        ElementwiseRules.addTo(table);
        ReductionRules.addTo(table);
        IndexingRules.addTo(table);
        MovementRules.addTo(table);
        LossRules.addTo(table);
        NormRules.addTo(table);
        AttentionRules.addTo(table);
        MoeRules.addTo(table);
        return table;
    }
}
