package dev.tessera.tests.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.nn.Autocast;
import dev.tessera.nn.Embedding;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Losses;
import dev.tessera.nn.Losses.Reduction;
import dev.tessera.nn.Parameter;
import dev.tessera.nn.SwiGLU;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/** The autocast scope: which dtypes layers produce inside and outside it, and how scopes open and close. */
class AutocastTest {
    @Test
    void linearComputesInBf16InsideTheScopeWhileItsParametersAndGradsStayF32() {
        Linear layer = new Linear(6, 4, true, new Generator(1));
        Tensor x = Tensor.randn(new Generator(2), 3, 6).requiresGrad(true);
        Tensor y;
        try (var amp = Autocast.bf16()) {
            y = layer.forward(x);
        }
        assertEquals(DType.BF16, y.dtype());
        y.to(DType.F32).sum().backward();
        for (Parameter p : layer.parameters()) {
            assertEquals(DType.F32, p.value().dtype());
            assertEquals(DType.F32, p.grad().dtype());
            assertArrayEquals(p.value().shape(), p.grad().shape());
        }
        assertEquals(DType.F32, x.grad().dtype(), "the input's gradient comes back in the input's dtype");
    }

    @Test
    void outsideTheScopeLinearIsF32AndBitIdenticalToThePlainFormula() {
        Linear layer = new Linear(6, 4, true, new Generator(3));
        Tensor x = Tensor.randn(new Generator(4), 3, 6);
        Tensor expected = x.matmul(layer.weight().value().t()).add(layer.bias().value());
        Tensor y = layer.forward(x);
        assertEquals(DType.F32, y.dtype());
        assertArrayEquals(expected.toFloatArray(), y.toFloatArray());
        try (var amp = Autocast.bf16(); var f32 = Autocast.off()) {
            assertArrayEquals(expected.toFloatArray(), layer.forward(x).toFloatArray(), "off() inside bf16()");
        }
    }

    @Test
    void insideTheScopeLinearIsThePlainFormulaOnBf16Operands() {
        Linear layer = new Linear(6, 4, true, new Generator(5));
        Tensor x = Tensor.randn(new Generator(6), 3, 6);
        Tensor expected = x.to(DType.BF16).matmul(layer.weight().value().to(DType.BF16).t())
                .add(layer.bias().value().to(DType.BF16));
        try (var amp = Autocast.bf16()) {
            assertArrayEquals(expected.toFloatArray(), layer.forward(x).toFloatArray());
        }
    }

    @Test
    void embeddingAndSwiGluFollowTheScope() {
        Embedding embed = new Embedding(10, 8, new Generator(7));
        SwiGLU ffn = new SwiGLU(8, 16, new Generator(8));
        Tensor ids = Tensor.of(new long[] {1, 9, 3}, 3);
        try (var amp = Autocast.bf16()) {
            Tensor rows = embed.forward(ids);
            assertEquals(DType.BF16, rows.dtype());
            assertArrayEquals(Tensor.embedding(embed.weight().value(), ids).to(DType.BF16).toFloatArray(),
                    rows.toFloatArray());
            assertEquals(DType.BF16, ffn.forward(rows).dtype());
        }
        assertEquals(DType.F32, ffn.forward(embed.forward(ids)).dtype());
    }

    @Test
    void lossesOfBf16ActivationsAreF32() {
        Linear layer = new Linear(6, 5, true, new Generator(9));
        Tensor x = Tensor.randn(new Generator(10), 4, 6);
        try (var amp = Autocast.bf16()) {
            Tensor logits = layer.forward(x);
            assertEquals(DType.F32, Losses.crossEntropy(logits, Tensor.of(new long[] {0, 4, 2, 1}, 4)).dtype());
            Tensor target = Tensor.randn(new Generator(11), 4, 5);
            Tensor loss = Losses.mse(logits, target, Reduction.MEAN);
            assertEquals(DType.F32, loss.dtype());
            assertEquals(Losses.mse(logits.to(DType.F32), target, Reduction.MEAN).item(), loss.item());
        }
    }

    @Test
    void backwardGivesTheSameGradientsInsideOrOutsideTheScope() {
        Linear layer = new Linear(6, 4, true, new Generator(12));
        Tensor x = Tensor.randn(new Generator(13), 3, 6);
        Tensor backwardOutside;
        Tensor backwardInside;
        try (var amp = Autocast.bf16()) {
            backwardOutside = layer.forward(x).to(DType.F32).square().sum();
            backwardInside = layer.forward(x).to(DType.F32).square().sum();
            backwardInside.backward();
        }
        float[] gradInside = layer.weight().grad().toFloatArray();
        layer.zeroGrad();
        backwardOutside.backward();
        assertArrayEquals(gradInside, layer.weight().grad().toFloatArray());
    }

    @Test
    void castLeavesF64IntegersAndTheComputeDtypeAlone() {
        Tensor f64 = Tensor.of(new double[] {1.5, 2}, 2);
        Tensor ints = Tensor.of(new long[] {1, 2}, 2);
        Tensor f32 = Tensor.of(new float[] {1.5f, 2}, 2);
        assertSame(f32, Autocast.cast(f32), "outside a scope");
        try (var amp = Autocast.bf16()) {
            assertSame(f64, Autocast.cast(f64));
            assertSame(ints, Autocast.cast(ints));
            Tensor half = Autocast.cast(f32);
            assertEquals(DType.BF16, half.dtype());
            assertSame(half, Autocast.cast(half));
        }
        try (var amp = Autocast.to(DType.F16)) {
            assertEquals(DType.F16, Autocast.cast(f32).dtype());
        }
    }

    @Test
    void nestedScopesRestoreThePreviousState() {
        assertEquals(Optional.empty(), Autocast.computeDtype());
        try (var outer = Autocast.bf16()) {
            assertEquals(Optional.of(DType.BF16), Autocast.computeDtype());
            try (var inner = Autocast.to(DType.F16)) {
                assertEquals(Optional.of(DType.F16), Autocast.computeDtype());
                try (var off = Autocast.off()) {
                    assertEquals(Optional.empty(), Autocast.computeDtype());
                }
                assertEquals(Optional.of(DType.F16), Autocast.computeDtype());
            }
            assertEquals(Optional.of(DType.BF16), Autocast.computeDtype());
        }
        assertEquals(Optional.empty(), Autocast.computeDtype());
    }

    @Test
    void anExceptionInsideAScopeRestoresThePreviousState() {
        Linear layer = new Linear(3, 2, true, new Generator(14));
        try (var outer = Autocast.to(DType.F16)) {
            assertThrows(IllegalArgumentException.class, () -> {
                try (var amp = Autocast.bf16()) {
                    layer.forward(Tensor.zeros(4, 5));
                }
            });
            assertEquals(Optional.of(DType.F16), Autocast.computeDtype());
        }
        assertEquals(Optional.empty(), Autocast.computeDtype());
    }

    @Test
    void theScopeIsPerThread() throws ExecutionException, InterruptedException {
        try (var amp = Autocast.bf16()) {
            assertEquals(Optional.empty(), CompletableFuture.supplyAsync(Autocast::computeDtype).get());
            var closedElsewhere = CompletableFuture.runAsync(amp::close);
            var ex = assertThrows(ExecutionException.class, closedElsewhere::get);
            assertTrue(ex.getCause() instanceof IllegalStateException
                    && ex.getCause().getMessage().contains("per thread"), String.valueOf(ex.getCause()));
            assertEquals(Optional.of(DType.BF16), Autocast.computeDtype());
        }
    }

    @Test
    void refusesAComputeDtypeThatIsNotF32Bf16OrF16() {
        for (DType bad : new DType[] {DType.I32, DType.I64, DType.BOOL, DType.F64, null}) {
            var ex = assertThrows(IllegalArgumentException.class, () -> Autocast.to(bad));
            assertTrue(ex.getMessage().contains("Autocast") && ex.getMessage().contains("BF16, F16 or F32")
                    && ex.getMessage().contains(String.valueOf(bad)), ex.getMessage());
        }
        assertEquals(Optional.empty(), Autocast.computeDtype(), "a refused scope changes nothing");
    }
}
