package dev.tessera.tests.ops;

import dev.tessera.tensor.Op.Group;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The cpu backend against the reference, one property per op group: each try draws an op of
 * the group and a case from its {@link OpInfo}, runs it on both devices and compares every
 * output element within the op's tolerance. Providers are named after their group
 * ({@link CatalogCoverageTest} checks that no group lacks one).
 */
class BackendEquivalencePropertiesTest {
    @Property(tries = 2400)
    void unaryOpsMatchTheReference(@ForAll("unary") OpCase c) {
        Equivalence.check(c);
    }

    @Property(tries = 1600)
    void binaryOpsMatchTheReference(@ForAll("binary") OpCase c) {
        Equivalence.check(c);
    }

    @Property(tries = 1000)
    void comparisonsMatchTheReference(@ForAll("comparison") OpCase c) {
        Equivalence.check(c);
    }

    @Property(tries = 800)
    void ternaryOpsMatchTheReference(@ForAll("ternary") OpCase c) {
        Equivalence.check(c);
    }

    @Property(tries = 800)
    void copiesMatchTheReference(@ForAll("copy") OpCase c) {
        Equivalence.check(c);
    }

    @Property(tries = 1600)
    void reductionsMatchTheReference(@ForAll("reduce") OpCase c) {
        Equivalence.check(c);
    }

    @Property(tries = 800)
    void argReductionsMatchTheReference(@ForAll("argReduce") OpCase c) {
        Equivalence.check(c);
    }

    @Property(tries = 1600)
    void alongDimOpsMatchTheReference(@ForAll("alongDim") OpCase c) {
        Equivalence.check(c);
    }

    @Property(tries = 1000)
    void matmulMatchesTheReference(@ForAll("matmul") OpCase c) {
        Equivalence.check(c);
    }

    @Property(tries = 1600)
    void indexingOpsMatchTheReference(@ForAll("index") OpCase c) {
        Equivalence.check(c);
    }

    @Property(tries = 1000)
    void joinsMatchTheReference(@ForAll("join") OpCase c) {
        Equivalence.check(c);
    }

    @Property(tries = 1600)
    void viewsMatchTheReference(@ForAll("movement") OpCase c) {
        Equivalence.check(c);
    }

    @Property(tries = 400)
    void lossesMatchTheReference(@ForAll("loss") OpCase c) {
        Equivalence.check(c);
    }

    @Property(tries = 400)
    void normsMatchTheReference(@ForAll("norm") OpCase c) {
        Equivalence.check(c);
    }

    @Property(tries = 150)
    void attentionMatchesTheReference(@ForAll("attention") OpCase c) {
        Equivalence.check(c);
    }

    @Property(tries = 200)
    void moeDispatchMatchesTheReference(@ForAll("moe") OpCase c) {
        Equivalence.check(c);
    }

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
