package dev.tessera.tests.ops;

import dev.tessera.tensor.Device;
import dev.tessera.tests.opencl.OpenClAvailable;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * The opencl backend against the reference, one property per op group, over the same
 * {@link OpInfo} cases (layouts, broadcasting, sizes 0 and 1 and odd sizes, every dtype) as the cpu
 * suite in {@link BackendEquivalencePropertiesTest}, with about a quarter of its tries: a launch on
 * PoCL costs far more than a cpu call, and the first use of each dtype builds a program.
 */
@AddLifecycleHook(OpenClAvailable.class)
class OpenClEquivalencePropertiesTest extends GroupSamples {
    private static void check(OpCase c) {
        Equivalence.check(c, Device.opencl());
    }

    @Property(tries = 600)
    void unaryOpsMatchTheReference(@ForAll("unary") OpCase c) {
        check(c);
    }

    @Property(tries = 400)
    void binaryOpsMatchTheReference(@ForAll("binary") OpCase c) {
        check(c);
    }

    @Property(tries = 250)
    void comparisonsMatchTheReference(@ForAll("comparison") OpCase c) {
        check(c);
    }

    @Property(tries = 200)
    void ternaryOpsMatchTheReference(@ForAll("ternary") OpCase c) {
        check(c);
    }

    @Property(tries = 300)
    void copiesMatchTheReference(@ForAll("copy") OpCase c) {
        check(c);
    }

    @Property(tries = 400)
    void reductionsMatchTheReference(@ForAll("reduce") OpCase c) {
        check(c);
    }

    @Property(tries = 200)
    void argReductionsMatchTheReference(@ForAll("argReduce") OpCase c) {
        check(c);
    }

    @Property(tries = 400)
    void alongDimOpsMatchTheReference(@ForAll("alongDim") OpCase c) {
        check(c);
    }

    @Property(tries = 250)
    void matmulMatchesTheReference(@ForAll("matmul") OpCase c) {
        check(c);
    }

    @Property(tries = 400)
    void indexingOpsMatchTheReference(@ForAll("index") OpCase c) {
        check(c);
    }

    @Property(tries = 250)
    void joinsMatchTheReference(@ForAll("join") OpCase c) {
        check(c);
    }

    @Property(tries = 400)
    void viewsMatchTheReference(@ForAll("movement") OpCase c) {
        check(c);
    }

    @Property(tries = 150)
    void lossesMatchTheReference(@ForAll("loss") OpCase c) {
        check(c);
    }

    @Property(tries = 150)
    void normsMatchTheReference(@ForAll("norm") OpCase c) {
        check(c);
    }

    @Property(tries = 60)
    void attentionMatchesTheReference(@ForAll("attention") OpCase c) {
        check(c);
    }

    @Property(tries = 100)
    void moeDispatchMatchesTheReference(@ForAll("moe") OpCase c) {
        check(c);
    }
}
