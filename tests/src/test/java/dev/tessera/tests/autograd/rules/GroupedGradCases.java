package dev.tessera.tests.autograd.rules;

import dev.tessera.tensor.Op;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Provide;

/** The random gradient cases of each catalog group with a gradient, for the properties that extend this class. */
abstract class GroupedGradCases {
    @Provide
    Arbitrary<GradCase> unaryCases() {
        return GradCases.of(Op.Group.UNARY);
    }

    @Provide
    Arbitrary<GradCase> binaryCases() {
        return GradCases.of(Op.Group.BINARY);
    }

    @Provide
    Arbitrary<GradCase> ternaryCases() {
        return GradCases.of(Op.Group.TERNARY);
    }

    @Provide
    Arbitrary<GradCase> copyCases() {
        return GradCases.of(Op.Group.COPY);
    }

    @Provide
    Arbitrary<GradCase> reduceCases() {
        return GradCases.of(Op.Group.REDUCE);
    }

    @Provide
    Arbitrary<GradCase> alongDimCases() {
        return GradCases.of(Op.Group.ALONG_DIM);
    }

    @Provide
    Arbitrary<GradCase> matmulCases() {
        return GradCases.of(Op.Group.MATMUL);
    }

    @Provide
    Arbitrary<GradCase> indexCases() {
        return GradCases.of(Op.Group.INDEX);
    }

    @Provide
    Arbitrary<GradCase> joinCases() {
        return GradCases.of(Op.Group.JOIN);
    }

    @Provide
    Arbitrary<GradCase> movementCases() {
        return GradCases.of(Op.Group.MOVEMENT);
    }
}
