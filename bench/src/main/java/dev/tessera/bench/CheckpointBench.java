package dev.tessera.bench;

import dev.tessera.autograd.Checkpoint;
import dev.tessera.autograd.Node;
import dev.tessera.tensor.GradNode;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Storage;
import dev.tessera.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What activation checkpointing saves and costs on an MLP of {@value #LAYERS} layers
 * {@code relu(h @ w + b)}, batch {@value #BATCH}, width {@value #WIDTH}, F32, with
 * {@code layersPerCheckpoint} layers per {@link Checkpoint} segment (0: no checkpointing). The
 * parameters are 2.1 MB of the graph, each activation 0.5 MB; the plain graph keeps three
 * activations per layer (matmul, add, relu), a checkpointed one only each segment's output.
 * <ul>
 *   <li>{@code graph}: runs the forward pass and measures the graph it leaves for backward,
 *       reported as the counters {@code graphBytes} (the bytes of every distinct storage that the
 *       live nodes hold through their inputs and outputs: parameters, activations, the loss) and
 *       {@code graphNodes}. They are exact and the same on every call: read them, not the time.
 *       JMH sums such counters over measurement iterations, hence one iteration here (a
 *       command-line {@code -i} overrides it and multiplies them).</li>
 *   <li>{@code forwardBackward}: the time of forward plus backward, the price of recomputing.</li>
 * </ul>
 * Setup checks once that the checkpointed gradient of the input equals the plain graph's.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class CheckpointBench {
    static final int LAYERS = 8;
    static final int BATCH = 512;
    static final int WIDTH = 256;

    @Param({"0", "1", "2", "4"})
    public int layersPerCheckpoint;

    private Tensor x;
    private final List<Tensor> weights = new ArrayList<>();
    private final List<Tensor> biases = new ArrayList<>();

    /** The graph measured by {@code graph}; JMH reports the public fields of this state. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class Graph {
        public long graphBytes;
        public long graphNodes;
    }

    @Setup
    public void setup() {
        Generator g = new Generator(42);
        x = Tensor.randn(g, BATCH, WIDTH).requiresGrad(true);
        for (int i = 0; i < LAYERS; i++) {
            weights.add(Tensor.randn(g, WIDTH, WIDTH).mul(1 / Math.sqrt(WIDTH)).requiresGrad(true));
            biases.add(Tensor.zeros(WIDTH).requiresGrad(true));
        }
        // Checkpointing must not change the gradients: compare with the plain graph once.
        Tensor checkpointed = forwardBackward();
        int chosen = layersPerCheckpoint;
        layersPerCheckpoint = 0;
        Verify.close("forwardBackward", checkpointed, Verify.reference(forwardBackward()), 0, 0);
        layersPerCheckpoint = chosen;
    }

    /** Layers {@code in[1], in[2]}, {@code in[3], in[4]}, ... applied to {@code in[0]}. */
    private static final Function<Tensor[], Tensor> SEGMENT = in -> {
        Tensor h = in[0];
        for (int i = 1; i < in.length; i += 2) {
            h = h.matmul(in[i]).add(in[i + 1]).relu();
        }
        return h;
    };

    private Tensor loss() {
        Tensor h = x;
        int step = layersPerCheckpoint == 0 ? 1 : layersPerCheckpoint;
        for (int start = 0; start < LAYERS; start += step) {
            List<Tensor> inputs = new ArrayList<>(List.of(h));
            for (int i = start; i < Math.min(start + step, LAYERS); i++) {
                inputs.add(weights.get(i));
                inputs.add(biases.get(i));
            }
            Tensor[] args = inputs.toArray(Tensor[]::new);
            h = layersPerCheckpoint == 0 ? SEGMENT.apply(args) : Checkpoint.apply(SEGMENT, args);
        }
        return h.sum();
    }

    @Benchmark
    @Warmup(iterations = 1, time = 1)
    @Measurement(iterations = 1, time = 2)
    public Tensor graph(Graph counters) {
        Tensor loss = loss();
        Set<Node> nodes = nodes(loss);
        counters.graphNodes = nodes.size();
        counters.graphBytes = storageBytes(nodes);
        return loss;
    }

    @Benchmark
    public Tensor forwardBackward() {
        loss().backward();
        Tensor grad = x.grad();
        x.zeroGrad();
        weights.forEach(Tensor::zeroGrad);
        biases.forEach(Tensor::zeroGrad);
        return grad;
    }

    private static Set<Node> nodes(Tensor root) {
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<GradNode> stack = new ArrayDeque<>(List.of(root.gradNode()));
        while (!stack.isEmpty()) {
            if (stack.pop() instanceof Node node && seen.add(node)) {
                for (int i = 0; i < node.inputCount(); i++) {
                    if (node.input(i).gradNode() != null) {
                        stack.push(node.input(i).gradNode());
                    }
                }
            }
        }
        return seen;
    }

    private static long storageBytes(Set<Node> nodes) {
        Set<Storage> storages = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node node : nodes) {
            for (int i = 0; i < node.inputCount(); i++) {
                storages.add(node.input(i).storage());
            }
            for (int i = 0; i < node.outputCount(); i++) {
                storages.add(node.output(i).storage());
            }
        }
        return storages.stream().mapToLong(Storage::byteSize).sum();
    }
}
