package dev.tessera.tests.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.ModuleList;
import dev.tessera.nn.Parameter;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Parameter naming and order, train/eval propagation, zeroGrad, Parameter.set and the summary. */
class ModuleTest {
    private static final List<String> TWO_LAYER_NAMES = List.of(
            "embed_tokens.weight",
            "layers.0.attn.q_proj.weight", "layers.0.attn.q_proj.bias", "layers.0.attn.o_proj.weight",
            "layers.1.attn.q_proj.weight", "layers.1.attn.q_proj.bias", "layers.1.attn.o_proj.weight",
            "lm_head.weight");

    @Test
    void namesAreDottedPathsInRegistrationOrder() {
        TinyModel model = new TinyModel(2, new Generator(1));
        assertEquals(TWO_LAYER_NAMES, List.copyOf(model.namedParameters().keySet()));
        assertEquals(TWO_LAYER_NAMES, List.copyOf(model.stateDict().keySet()));
        List<Parameter> params = model.parameters();
        assertEquals(TWO_LAYER_NAMES.size(), params.size());
        TinyModel.Block second = (TinyModel.Block) model.layers.get(1);
        assertSame(second.attn.qProj.bias(), params.get(5));
        assertSame(model.head.weight(), params.get(7));
    }

    @Test
    void parametersAreLeavesThatRequireGrad() {
        for (Parameter p : new TinyModel(1, new Generator(2)).parameters()) {
            assertTrue(p.value().isLeaf());
            assertTrue(p.value().requiresGrad());
        }
    }

    @Test
    void parameterCountIsTheSumOfElements() {
        // embed 11*4 + per layer (4*4 + 4 + 4*4) + head 11*4
        assertEquals(44 + 2 * 36 + 44, new TinyModel(2, new Generator(3)).parameterCount());
    }

    @Test
    void badNamesAreRefused() {
        var ex = assertThrows(IllegalArgumentException.class, () -> new Module() {
            {
                register("a.b", new ModuleList());
            }
        });
        assertTrue(ex.getMessage().contains("'a.b'"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class, () -> new Module() {
            {
                parameter("w", Tensor.zeros(2));
                register("w", new ModuleList());
            }
        });
        assertTrue(ex.getMessage().contains("'w' is already taken"), ex.getMessage());
    }

    @Test
    void trainAndEvalReachEveryDescendant() {
        TinyModel model = new TinyModel(2, new Generator(4));
        assertTrue(allTraining(model, true));
        assertSame(model, model.eval());
        assertTrue(allTraining(model, false));
        model.train();
        assertTrue(allTraining(model, true));
        model.layers.get(0).eval();
        assertTrue(model.isTraining());
        assertFalse(model.layers.get(0).isTraining());
        assertTrue(model.layers.get(1).isTraining());
    }

    @Test
    void zeroGradClearsEveryGradient() {
        TinyModel model = new TinyModel(2, new Generator(5));
        model.forward(Tensor.of(new long[] {1, 3, 5}, 3)).sum().backward();
        for (Parameter p : model.parameters()) {
            assertNotNull(p.grad());
        }
        model.zeroGrad();
        for (Parameter p : model.parameters()) {
            assertNull(p.grad());
        }
    }

    @Test
    void setKeepsShapeAndDtypeAndMakesALeaf() {
        Linear layer = new Linear(3, 2, true, new Generator(6));
        Tensor next = Tensor.ones(2, 3).mul(2);
        layer.weight().set(next);
        assertTrue(layer.weight().value().isLeaf());
        assertTrue(layer.weight().value().requiresGrad());
        assertArrayEquals(new double[] {2, 2, 2, 2, 2, 2}, layer.weight().value().toDoubleArray());
        var ex = assertThrows(IllegalArgumentException.class, () -> layer.weight().set(Tensor.ones(3, 2)));
        assertTrue(ex.getMessage().contains("Parameter.set") && ex.getMessage().contains("[3, 2]")
                && ex.getMessage().contains("[2, 3]"), ex.getMessage());
        ex = assertThrows(IllegalArgumentException.class,
                () -> layer.bias().set(Tensor.ones(DType.F64, 2)));
        assertTrue(ex.getMessage().contains("F64") && ex.getMessage().contains("F32"), ex.getMessage());
    }

    @Test
    void summaryShowsTreeShapesAndCounts() {
        String summary = new TinyModel(1, new Generator(7)).toString();
        String expected = """
                TinyModel (124 parameters)
                  embed_tokens: Embedding(vocab=11, dim=4) (44 parameters)
                    weight [11, 4]
                  layers: ModuleList (36 parameters)
                    0: Block (36 parameters)
                      attn: Attention (36 parameters)
                        q_proj: Linear(in=4, out=4, bias=true) (20 parameters)
                          weight [4, 4]
                          bias [4]
                        o_proj: Linear(in=4, out=4, bias=false) (16 parameters)
                          weight [4, 4]
                  lm_head: Linear(in=4, out=11, bias=false) (44 parameters)
                    weight [11, 4]
                total: 124 parameters
                """;
        assertEquals(expected, summary);
        assertTrue(new Linear(1000, 1000, true, new Generator(8)).toString().contains("total: 1,001,000 parameters"));
    }

    private static boolean allTraining(Module m, boolean mode) {
        if (m.isTraining() != mode) {
            return false;
        }
        for (Module child : m.children().values()) {
            if (!allTraining(child, mode)) {
                return false;
            }
        }
        return true;
    }
}
