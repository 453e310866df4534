package dev.tessera.tests.autograd.engine;

import static dev.tessera.tests.autograd.engine.Graphs.assertClose;

import dev.tessera.autograd.Autograd;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** Differentiation is linear: the engine's sums over paths and over losses must agree with it. */
class LinearityPropertiesTest {
    private record Leaves(Tensor x, Tensor w, Tensor c) {
        static Leaves random(int seed, int m, int k, int n) {
            Generator g = new Generator(seed);
            return new Leaves(Tensor.randn(g, m, k).requiresGrad(true), Tensor.randn(g, k, n).requiresGrad(true),
                    Tensor.randn(g, m, k));
        }

        Tensor first() {
            return x.matmul(w).relu().sum();
        }

        Tensor second() {
            return x.mul(x).mul(c).add(x).sum();
        }

        List<Tensor> both() {
            return List.of(x, w);
        }
    }

    @Property(tries = 60)
    void theGradientOfASumOfLossesIsTheSumOfTheirGradients(@ForAll @IntRange(min = 1, max = 5) int m,
            @ForAll @IntRange(min = 1, max = 5) int k, @ForAll @IntRange(min = 1, max = 5) int n,
            @ForAll @IntRange(min = 0, max = 999) int seed) {
        Leaves leaves = Leaves.random(seed, m, k, n);
        List<Tensor> together = Autograd.grad(leaves.first().add(leaves.second()), leaves.both());
        List<Tensor> first = Autograd.grad(leaves.first(), leaves.both());
        List<Tensor> second = Autograd.grad(leaves.second(), leaves.both());
        for (int i = 0; i < together.size(); i++) {
            assertClose(first.get(i).add(second.get(i)), together.get(i), 1e-5);
        }
    }

    @Property(tries = 60)
    void backwardIntoGradAgreesWithAutogradGrad(@ForAll @IntRange(min = 1, max = 5) int m,
            @ForAll @IntRange(min = 1, max = 5) int k, @ForAll @IntRange(min = 1, max = 5) int n,
            @ForAll @IntRange(min = 0, max = 999) int seed) {
        Leaves leaves = Leaves.random(seed, m, k, n);
        List<Tensor> returned = Autograd.grad(leaves.first().add(leaves.second()), leaves.both());
        leaves.first().backward();
        leaves.second().backward();
        assertClose(returned.get(0), leaves.x().grad(), 1e-5);
        assertClose(returned.get(1), leaves.w().grad(), 1e-5);
    }
}
