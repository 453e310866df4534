package dev.tessera.tests.autograd.rules;

import dev.tessera.tensor.Op;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** The gradient-case maker of every differentiable op, and random cases by catalog group. */
final class GradCases {
    private static final Map<Op, GradCaseMaker> MAKERS = makers();

    private GradCases() {}

    static Map<Op, GradCaseMaker> all() {
        return Collections.unmodifiableMap(MAKERS);
    }

    /** The case of {@code op} that {@code seed} makes. */
    static GradCase make(Op op, long seed) {
        GradCaseMaker maker = MAKERS.get(op);
        if (maker == null) {
            throw new IllegalStateException("no gradient case maker for " + op.opName());
        }
        return maker.make(new Draw(seed));
    }

    /** Random cases of the ops of {@code group} that have a maker, each op equally often. */
    static Arbitrary<GradCase> of(Op.Group group) {
        List<Op> ops = MAKERS.keySet().stream().filter(op -> op.group() == group).toList();
        if (ops.isEmpty()) {
            throw new IllegalStateException("no gradient cases for the group " + group);
        }
        return Combinators.combine(Arbitraries.of(ops), Arbitraries.longs()).as(GradCases::make);
    }

    private static Map<Op, GradCaseMaker> makers() {
        Map<Op, GradCaseMaker> makers = new EnumMap<>(Op.class);
        ElementwiseGradCases.addTo(makers);
        ReductionGradCases.addTo(makers);
        IndexGradCases.addTo(makers);
        MovementGradCases.addTo(makers);
        LossGradCases.addTo(makers);
        NormGradCases.addTo(makers);
        AttentionGradCases.addTo(makers);
        MoeGradCases.addTo(makers);
        return makers;
    }
}
