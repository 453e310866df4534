package dev.tessera.tests.ops;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * The cpu backend against the reference, one property per op group: each try draws an op of
 * the group and a case from its {@link OpInfo}, runs it on both devices and compares every
 * output element within the op's tolerance. The cases come from {@link GroupSamples}
 * ({@link CatalogCoverageTest} checks that no group lacks a property).
 */
class BackendEquivalencePropertiesTest extends GroupSamples {
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
}
