package dev.tessera.tests.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.nn.Embedding;
import dev.tessera.nn.Linear;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Linear and Embedding: layouts, forward against the plain formula, gradients, bad inputs. */
class LayersTest {
    @Test
    void linearForwardIsXTimesWTransposedPlusB() {
        Linear layer = new Linear(3, 2, true, new Generator(20));
        assertArrayEquals(new long[] {2, 3}, layer.weight().value().shape());
        assertArrayEquals(new long[] {2}, layer.bias().value().shape());
        Tensor x = Tensor.randn(new Generator(21), 5, 4, 3);
        Tensor expected = x.matmul(layer.weight().value().t()).add(layer.bias().value());
        Tensor y = layer.forward(x);
        assertArrayEquals(new long[] {5, 4, 2}, y.shape());
        assertArrayEquals(expected.toFloatArray(), y.toFloatArray());
    }

    @Test
    void linearWithoutBiasHasOnlyAWeight() {
        Linear layer = new Linear(3, 2, false, new Generator(22));
        assertNull(layer.bias());
        assertEquals(List.of("weight"), List.copyOf(layer.namedParameters().keySet()));
        Tensor x = Tensor.randn(new Generator(23), 3);
        assertArrayEquals(x.matmul(layer.weight().value().t()).toFloatArray(), layer.forward(x).toFloatArray());
    }

    @Test
    void linearGradientsReachWeightAndBias() {
        Linear layer = new Linear(2, 2, true, new Generator(24));
        layer.weight().set(Tensor.of(new float[] {1, 2, 3, 4}, 2, 2));
        layer.bias().set(Tensor.of(new float[] {0.5f, -0.5f}, 2));
        Tensor x = Tensor.of(new float[] {1, -1, 2, 3}, 2, 2);
        // loss = sum(y * c): dL/dW = c^T x, dL/db = sum over rows of c
        Tensor c = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
        layer.forward(x).mul(c).sum().backward();
        assertArrayEquals(new float[] {1 * 1 + 3 * 2, 1 * -1 + 3 * 3, 2 * 1 + 4 * 2, 2 * -1 + 4 * 3},
                layer.weight().grad().toFloatArray());
        assertArrayEquals(new float[] {4, 6}, layer.bias().grad().toFloatArray());
    }

    @Test
    void linearRefusesTheWrongLastDim() {
        Linear layer = new Linear(3, 2, true, new Generator(25));
        var ex = assertThrows(IllegalArgumentException.class, () -> layer.forward(Tensor.zeros(4, 5)));
        assertTrue(ex.getMessage().contains("Linear(in=3, out=2)") && ex.getMessage().contains("[4, 5]")
                && ex.getMessage().contains("[..., 3]"), ex.getMessage());
        assertThrows(IllegalArgumentException.class, () -> layer.forward(Tensor.scalar(1)));
        assertThrows(IllegalArgumentException.class, () -> new Linear(0, 2, true, new Generator(26)));
    }

    @Test
    void sameSeedSameLayer() {
        assertArrayEquals(new Linear(8, 5, true, new Generator(27)).weight().value().toFloatArray(),
                new Linear(8, 5, true, new Generator(27)).weight().value().toFloatArray());
    }

    @Test
    void embeddingPicksRowsAndScattersGradients() {
        Embedding embed = new Embedding(5, 3, new Generator(28));
        Tensor weight = embed.weight().value();
        assertArrayEquals(new long[] {5, 3}, weight.shape());
        Tensor ids = Tensor.of(new long[] {4, 1, 4}, 3);
        Tensor rows = embed.forward(ids);
        assertArrayEquals(new long[] {3, 3}, rows.shape());
        assertArrayEquals(weight.select(0, 1).toFloatArray(), rows.select(0, 1).toFloatArray());
        assertArrayEquals(weight.select(0, 4).toFloatArray(), rows.select(0, 2).toFloatArray());
        rows.sum().backward();
        assertArrayEquals(new float[] {0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0, 2, 2, 2}, embed.weight().grad().toFloatArray());
    }
}
