package dev.tessera.tests.ops;

import dev.tessera.tensor.Op.Group;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Provide;

/**
 * One provider per op group, named after it, over that group's {@link OpInfo} cases: the
 * backend-equivalence properties of every backend draw from these ({@link CatalogCoverageTest}
 * checks that no group lacks one).
 */
abstract class GroupSamples {
    @Provide
    Arbitrary<OpCase> unary() {
        return OpInfos.samplesOf(Group.UNARY);
    }

    @Provide
    Arbitrary<OpCase> binary() {
        return OpInfos.samplesOf(Group.BINARY);
    }

    @Provide
    Arbitrary<OpCase> comparison() {
        return OpInfos.samplesOf(Group.COMPARISON);
    }

    @Provide
    Arbitrary<OpCase> ternary() {
        return OpInfos.samplesOf(Group.TERNARY);
    }

    @Provide
    Arbitrary<OpCase> copy() {
        return OpInfos.samplesOf(Group.COPY);
    }

    @Provide
    Arbitrary<OpCase> reduce() {
        return OpInfos.samplesOf(Group.REDUCE);
    }

    @Provide
    Arbitrary<OpCase> argReduce() {
        return OpInfos.samplesOf(Group.ARG_REDUCE);
    }

    @Provide
    Arbitrary<OpCase> alongDim() {
        return OpInfos.samplesOf(Group.ALONG_DIM);
    }

    @Provide
    Arbitrary<OpCase> matmul() {
        return OpInfos.samplesOf(Group.MATMUL);
    }

    @Provide
    Arbitrary<OpCase> index() {
        return OpInfos.samplesOf(Group.INDEX);
    }

    @Provide
    Arbitrary<OpCase> join() {
        return OpInfos.samplesOf(Group.JOIN);
    }

    @Provide
    Arbitrary<OpCase> movement() {
        return OpInfos.samplesOf(Group.MOVEMENT);
    }

    @Provide
    Arbitrary<OpCase> loss() {
        return OpInfos.samplesOf(Group.LOSS);
    }

    @Provide
    Arbitrary<OpCase> norm() {
        return OpInfos.samplesOf(Group.NORM);
    }

    @Provide
    Arbitrary<OpCase> attention() {
        return OpInfos.samplesOf(Group.ATTENTION);
    }

    @Provide
    Arbitrary<OpCase> moe() {
        return OpInfos.samplesOf(Group.MOE);
    }
}
