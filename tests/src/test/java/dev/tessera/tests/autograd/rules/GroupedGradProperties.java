package dev.tessera.tests.autograd.rules;

import dev.tessera.tensor.Op;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * One property per catalog group with a gradient, each over random gradient cases of its group.
 * A subclass says what every case must satisfy ({@link #check}) and, with {@code @PropertyDefaults},
 * how many tries each property gets.
 */
abstract class GroupedGradProperties {
    /** Fails with a message naming the case when its gradients are wrong. */
    abstract void check(GradCase c);

    @Property
    void unary(@ForAll("unaryCases") GradCase c) {
        check(c);
    }

    @Property
    void binary(@ForAll("binaryCases") GradCase c) {
        check(c);
    }

    @Property
    void ternary(@ForAll("ternaryCases") GradCase c) {
        check(c);
    }

    @Property
    void copy(@ForAll("copyCases") GradCase c) {
        check(c);
    }

    @Property
    void reduce(@ForAll("reduceCases") GradCase c) {
        check(c);
    }

    @Property
    void alongDim(@ForAll("alongDimCases") GradCase c) {
        check(c);
    }

    @Property
    void matmul(@ForAll("matmulCases") GradCase c) {
        check(c);
    }

    @Property
    void index(@ForAll("indexCases") GradCase c) {
        check(c);
    }

    @Property
    void join(@ForAll("joinCases") GradCase c) {
        check(c);
    }

    @Property
    void movement(@ForAll("movementCases") GradCase c) {
        check(c);
    }

    @Property
    void loss(@ForAll("lossCases") GradCase c) {
        check(c);
    }

    @Property
    void norm(@ForAll("normCases") GradCase c) {
        check(c);
    }

    @Property
    void attention(@ForAll("attentionCases") GradCase c) {
        check(c);
    }

    @Property
    void moe(@ForAll("moeCases") GradCase c) {
        check(c);
    }

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

    @Provide
    Arbitrary<GradCase> lossCases() {
        return GradCases.of(Op.Group.LOSS);
    }

    @Provide
    Arbitrary<GradCase> normCases() {
        return GradCases.of(Op.Group.NORM);
    }

    @Provide
    Arbitrary<GradCase> attentionCases() {
        return GradCases.of(Op.Group.ATTENTION);
    }

    @Provide
    Arbitrary<GradCase> moeCases() {
        return GradCases.of(Op.Group.MOE);
    }
}
