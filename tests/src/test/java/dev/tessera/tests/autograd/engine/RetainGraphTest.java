package dev.tessera.tests.autograd.engine;

import static dev.tessera.tests.autograd.engine.Graphs.assertClose;
import static dev.tessera.tests.autograd.engine.Graphs.assertThrowsMentioning;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tessera.autograd.Checkpoint;
import dev.tessera.autograd.Node;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** A backward frees the graph it walked unless asked to keep it. */
class RetainGraphTest {
    @Test
    void aSecondBackwardThroughAFreedGraphIsRefused() {
        Tensor x = Tensor.ones(2, 2).requiresGrad(true);
        Tensor loss = x.mul(x).relu().sum();
        loss.backward();
        assertThrowsMentioning(IllegalStateException.class, loss::backward, "freed", "retainGraph");
    }

    @Test
    void aNewGraphOverAFreedOneIsRefusedWhereItReachesTheFreedPart() {
        Tensor x = Tensor.ones(3).requiresGrad(true);
        Tensor hidden = x.mul(x);
        hidden.sum().backward();
        Tensor again = hidden.add(x).sum();
        assertThrowsMentioning(IllegalStateException.class, again::backward, "freed", "retainGraph");
    }

    @Test
    void eachNodeIsReleasedAsSoonAsItHasRun() {
        // The checkpoint's recompute runs in the middle of backward: by then the nodes after it have run.
        Tensor x = Tensor.ones(3).requiresGrad(true);
        List<Boolean> laterNodeFreed = new ArrayList<>();
        Tensor[] scaled = new Tensor[1];
        Function<Tensor[], Tensor> probe = in -> {
            if (scaled[0] != null) {
                laterNodeFreed.add(freed((Node) scaled[0].gradNode()));
            }
            return in[0].mul(in[0]);
        };
        scaled[0] = Checkpoint.apply(probe, x).mul(2);
        scaled[0].sum().backward();
        assertEquals(List.of(true), laterNodeFreed);

        laterNodeFreed.clear();
        scaled[0] = null;
        scaled[0] = Checkpoint.apply(probe, x).mul(2);
        scaled[0].sum().backward(Tensor.scalar(1), true);
        assertEquals(List.of(false), laterNodeFreed, "with retainGraph nothing is released");
        assertFalse(freed((Node) scaled[0].gradNode()));
    }

    private static boolean freed(Node node) {
        try {
            node.inputCount();
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    @Property(tries = 60)
    void withRetainGraphTwoBackwardsDoubleTheGradients(@ForAll @IntRange(min = 1, max = 6) int m,
            @ForAll @IntRange(min = 1, max = 6) int k, @ForAll @IntRange(min = 1, max = 6) int n,
            @ForAll @IntRange(min = 0, max = 1000) int seed) {
        Generator g = new Generator(seed);
        Tensor x = Tensor.randn(g, m, k).requiresGrad(true);
        Tensor w = Tensor.randn(g, k, n).requiresGrad(true);
        Tensor bias = Tensor.randn(g, n).requiresGrad(true);
        Tensor loss = x.matmul(w).add(bias).relu().mul(x.matmul(w)).sum();
        Tensor one = Tensor.scalar(1);
        loss.backward(one, true);
        Tensor[] once = {x.grad(), w.grad(), bias.grad()};
        loss.backward(one, true);
        Tensor[] twice = {x.grad(), w.grad(), bias.grad()};
        for (int i = 0; i < once.length; i++) {
            assertClose(once[i].mul(2), twice[i], 1e-6);
        }
        loss.backward(); // the last one may free it
        assertThrowsMentioning(IllegalStateException.class, loss::backward, "retainGraph");
    }
}
