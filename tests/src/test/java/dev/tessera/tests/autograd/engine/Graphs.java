package dev.tessera.tests.autograd.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.autograd.Node;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.GradNode;
import dev.tessera.tensor.Storage;
import dev.tessera.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import org.junit.jupiter.api.function.Executable;

/** What the engine tests share: walking a recorded graph, comparing gradients, checking refusals. */
final class Graphs {
    private Graphs() {}

    /** The live nodes {@code root} depends on. */
    static Set<Node> nodes(Tensor root) {
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<GradNode> stack = new ArrayDeque<>();
        if (root.gradNode() != null) {
            stack.push(root.gradNode());
        }
        while (!stack.isEmpty()) {
            Node node = (Node) stack.pop();
            if (seen.add(node)) {
                for (int i = 0; i < node.inputCount(); i++) {
                    GradNode next = node.input(i).gradNode();
                    if (next != null) {
                        stack.push(next);
                    }
                }
            }
        }
        return seen;
    }

    /** The bytes of every distinct storage the live nodes behind {@code root} hold through their inputs and outputs. */
    static long retainedBytes(Tensor root) {
        Set<Storage> storages = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node node : nodes(root)) {
            for (int i = 0; i < node.inputCount(); i++) {
                storages.add(node.input(i).storage());
            }
            for (int i = 0; i < node.outputCount(); i++) {
                storages.add(node.output(i).storage());
            }
        }
        return storages.stream().mapToLong(Storage::byteSize).sum();
    }

    /** A tensor of the given values and shape. */
    static Tensor tensor(double[] values, long... shape) {
        return Tensor.of(values, shape).to(DType.F32);
    }

    /** Same shape and every element within {@code tolerance} (relative to max(1, |expected|)). */
    static void assertClose(Tensor expected, Tensor actual, double tolerance) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        double[] e = expected.toDoubleArray();
        double[] a = actual.toDoubleArray();
        for (int i = 0; i < e.length; i++) {
            double bound = tolerance * Math.max(1, Math.abs(e[i]));
            assertEquals(e[i], a[i], bound, "element " + i);
        }
    }

    /** Same shape, same elements, bit for bit. */
    static void assertSameValues(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape(), "shape");
        assertArrayEquals(expected.toDoubleArray(), actual.toDoubleArray());
    }

    /** The call throws {@code type} with a message that contains every one of {@code parts}. */
    static <T extends Throwable> T assertThrowsMentioning(Class<T> type, Executable call, String... parts) {
        T e = assertThrows(type, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "'" + e.getMessage() + "' should mention '" + part + "'");
        }
        return e;
    }

    /** The line of the caller, to find it in an anomaly message. */
    static int callerLine() {
        return StackWalker.getInstance().walk(s -> s.skip(1).findFirst().orElseThrow()).getLineNumber();
    }
}
