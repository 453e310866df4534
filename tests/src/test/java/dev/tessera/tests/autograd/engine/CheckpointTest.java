package dev.tessera.tests.autograd.engine;

import static dev.tessera.tests.autograd.engine.Graphs.assertSameValues;
import static dev.tessera.tests.autograd.engine.Graphs.assertThrowsMentioning;
import static dev.tessera.tests.autograd.engine.Graphs.callerLine;
import static dev.tessera.tests.autograd.engine.Graphs.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.autograd.Anomaly;
import dev.tessera.autograd.Autograd;
import dev.tessera.autograd.Checkpoint;
import dev.tessera.autograd.Grad;
import dev.tessera.autograd.Node;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/** Activation checkpointing: the same gradients as the plain graph, from a graph that keeps far less. */
class CheckpointTest {
    /** One layer: relu(h @ w + b), reading {@code in = [h, w, b]}. */
    private static final Function<Tensor[], Tensor> LAYER = in -> in[0].matmul(in[1]).add(in[2]).relu();

    /** An MLP's parameters and input; {@code forward} runs it plainly or with {@code perCheckpoint} layers per checkpoint. */
    private record Mlp(Tensor x, List<Tensor> weights, List<Tensor> biases) {
        static Mlp random(int seed, int batch, int width, int layers) {
            Generator g = new Generator(seed);
            List<Tensor> weights = new ArrayList<>();
            List<Tensor> biases = new ArrayList<>();
            for (int i = 0; i < layers; i++) {
                weights.add(Tensor.randn(g, width, width).requiresGrad(true));
                biases.add(Tensor.randn(g, width).requiresGrad(true));
            }
            return new Mlp(Tensor.randn(g, batch, width).requiresGrad(true), weights, biases);
        }

        Tensor loss(int perCheckpoint) {
            Tensor h = x;
            for (int start = 0; start < weights.size(); start += Math.max(perCheckpoint, 1)) {
                int end = perCheckpoint == 0 ? start + 1 : Math.min(start + perCheckpoint, weights.size());
                List<Tensor> inputs = new ArrayList<>(List.of(h));
                for (int i = start; i < end; i++) {
                    inputs.add(weights.get(i));
                    inputs.add(biases.get(i));
                }
                Function<Tensor[], Tensor> segment = in -> {
                    Tensor out = in[0];
                    for (int i = 1; i < in.length; i += 2) {
                        out = LAYER.apply(new Tensor[] {out, in[i], in[i + 1]});
                    }
                    return out;
                };
                Tensor[] args = inputs.toArray(Tensor[]::new);
                h = perCheckpoint == 0 ? segment.apply(args) : Checkpoint.apply(segment, args);
            }
            return h.mul(h).sum();
        }

        List<Tensor> leaves() {
            List<Tensor> all = new ArrayList<>(List.of(x));
            all.addAll(weights);
            all.addAll(biases);
            return all;
        }
    }

    @Property(tries = 40)
    void givesTheGradientsOfThePlainGraph(@ForAll @IntRange(min = 1, max = 5) int batch,
            @ForAll @IntRange(min = 1, max = 6) int width, @ForAll @IntRange(min = 1, max = 5) int layers,
            @ForAll @IntRange(min = 1, max = 3) int perCheckpoint, @ForAll @IntRange(min = 0, max = 999) int seed) {
        Mlp mlp = Mlp.random(seed, batch, width, layers);
        List<Tensor> plain = Autograd.grad(mlp.loss(0), mlp.leaves());
        List<Tensor> checkpointed = Autograd.grad(mlp.loss(perCheckpoint), mlp.leaves());
        for (int i = 0; i < plain.size(); i++) {
            assertSameValues(plain.get(i), checkpointed.get(i));
        }
    }

    @Test
    void keepsOneNodePerSegmentAndFewerBytes() {
        Mlp mlp = Mlp.random(1, 16, 32, 8);
        int lossNodes = Graphs.nodes(Mlp.random(1, 16, 32, 0).loss(0)).size();
        Tensor plain = mlp.loss(0);
        Tensor perLayer = mlp.loss(1);
        Tensor perFour = mlp.loss(4);
        assertTrue(Graphs.nodes(plain).size() >= 8 * 3 + lossNodes, "at least matmul, add and relu per layer");
        assertEquals(8 + lossNodes, Graphs.nodes(perLayer).size());
        assertEquals(2 + lossNodes, Graphs.nodes(perFour).size());
        // Activations are [16, 32] F32; the loss keeps h*h and its one-element sum besides.
        long activation = 16 * 32 * 4;
        long kept = 8 * (32 * 32 + 32) * 4 + activation * 2 + 4; // parameters, x, h*h, the sum
        assertEquals(kept + activation * 8 * 3, Graphs.retainedBytes(plain), "matmul, add and relu per layer");
        assertEquals(kept + activation * 8, Graphs.retainedBytes(perLayer), "one activation per layer");
        assertEquals(kept + activation * 2, Graphs.retainedBytes(perFour), "one activation per segment");
    }

    @Test
    void checkpointNodesAreNamedAndCarryNoCatalogOp() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        Tensor y = Checkpoint.apply(in -> in[0].mul(in[0]), x);
        Node node = (Node) y.gradNode();
        assertEquals("checkpoint", node.opName());
        assertNull(node.op());
        assertSame(x, node.input(0));
        assertThrowsMentioning(IllegalArgumentException.class, () -> y.requiresGrad(true), "checkpoint");
    }

    @Test
    void retainGraphRecomputesEachTime() {
        AtomicInteger runs = new AtomicInteger();
        Tensor x = tensor(new double[] {1, 2, 3}, 3).requiresGrad(true);
        Tensor loss = Checkpoint.apply(in -> {
            runs.incrementAndGet();
            return in[0].mul(in[0]);
        }, x).sum();
        assertEquals(1, runs.get());
        loss.backward(Tensor.scalar(1), true);
        loss.backward(Tensor.scalar(1), true);
        assertEquals(3, runs.get(), "one forward, one recompute per backward");
        assertSameValues(tensor(new double[] {4, 8, 12}, 3), x.grad());
        loss.backward();
        assertThrowsMentioning(IllegalStateException.class, loss::backward, "freed", "retainGraph");
    }

    @Test
    void randomOpsReproduceFromAGeneratorPositionedTheSameWay() {
        Generator g = new Generator(5);
        Tensor x = Tensor.randn(g, 4, 8).requiresGrad(true);
        long seed = g.seed();
        long offset = g.offset();
        // A dropout-like mask drawn inside fn from a generator built at the same position each run.
        Function<Tensor[], Tensor> dropout = in -> in[0].mul(Tensor.rand(new Generator(seed, offset), 4, 8).gt(0.5)
                .to(DType.F32)).mul(2);
        List<Tensor> plain = Autograd.grad(dropout.apply(new Tensor[] {x}).relu().sum(), List.of(x));
        List<Tensor> checkpointed = Autograd.grad(Checkpoint.apply(dropout, x).relu().sum(), List.of(x));
        assertSameValues(plain.get(0), checkpointed.get(0));
    }

    @Test
    void aTensorFnReadsWithoutReceivingItIsRefused() {
        Tensor w = Tensor.ones(3).requiresGrad(true);
        Tensor x = Tensor.ones(3).requiresGrad(true);
        Tensor loss = Checkpoint.apply(in -> in[0].mul(w), x).sum();
        assertThrowsMentioning(IllegalStateException.class, loss::backward, "checkpoint", "[3]", "among the inputs");
    }

    @Test
    void aFnThatChangesBetweenRunsIsRefused() {
        AtomicInteger runs = new AtomicInteger();
        Tensor x = Tensor.ones(4).requiresGrad(true);
        Tensor loss = Checkpoint.apply(in -> runs.getAndIncrement() == 0 ? in[0] : in[0].reshape(2, 2), x).sum();
        assertThrowsMentioning(IllegalStateException.class, loss::backward, "checkpoint", "[2, 2]", "[4]",
                "same function");
    }

    @Test
    void withNothingToSaveFnJustRuns() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        Tensor off;
        try (var scope = Grad.off()) {
            off = Checkpoint.apply(in -> in[0].mul(3), x);
        }
        assertTrue(off.isLeaf());
        // No input requires grad: fn records as usual, so a tensor it closes over still gets its gradient.
        Tensor w = tensor(new double[] {2, 5}, 2).requiresGrad(true);
        Tensor y = Checkpoint.apply(in -> in[0].mul(w), Tensor.ones(2));
        assertEquals("mul", y.gradNode().opName());
        y.sum().backward();
        assertSameValues(Tensor.ones(2), w.grad());
    }

    @Test
    void fnMayReturnAnInputUnchanged() {
        Tensor x = tensor(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor y = Checkpoint.apply(in -> in[0], x);
        assertTrue(x.isLeaf(), "the input itself is not turned into the checkpoint's output");
        y.mul(y).sum().backward();
        assertSameValues(tensor(new double[] {2, 4}, 2), x.grad());
    }

    @Test
    void checkpointsNest() {
        Tensor x = tensor(new double[] {1, -2, 3}, 3).requiresGrad(true);
        Function<Tensor[], Tensor> cube = in -> in[0].mul(in[0]).mul(in[0]);
        Tensor nested = Checkpoint.apply(in -> Checkpoint.apply(cube, in[0]).add(in[0]), x);
        List<Tensor> viaCheckpoints = Autograd.grad(nested.sum(), List.of(x));
        assertSameValues(tensor(new double[] {4, 13, 28}, 3), viaCheckpoints.get(0)); // 3x^2 + 1
    }

    @Test
    void anomalyInsideTheRecomputeNamesTheInnerOpAndItsLine() {
        Tensor inf = tensor(new double[] {Double.POSITIVE_INFINITY, 1}, 2);
        Tensor x = tensor(new double[] {1, 2}, 2).requiresGrad(true);
        Anomaly.enable(true);
        try {
            int[] line = new int[1];
            Tensor loss = Checkpoint.apply(in -> {
                Tensor out = in[0].mul(inf); line[0] = callerLine();
                return out;
            }, x).mul(Tensor.zeros(2)).sum();
            assertThrowsMentioning(ArithmeticException.class, loss::backward, "backward of mul",
                    "CheckpointTest.java:" + line[0] + ")");
        } finally {
            Anomaly.enable(false);
        }
    }

    @Test
    void theCheckpointGraphHoldsNoIntermediateNode() {
        Mlp mlp = Mlp.random(3, 2, 4, 3);
        Set<Node> nodes = Graphs.nodes(mlp.loss(3));
        assertFalse(nodes.stream().anyMatch(n -> n.op() != null && n.opName().equals("matmul")));
    }
}
