package dev.tessera.tests.moe.golden;

import static dev.tessera.tests.golden.GoldenFiles.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.moe.MoeTransformer;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.io.SafeTensors;
import dev.tessera.tests.golden.GoldenFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A 2-layer DeepseekForCausalLM (a dense first layer, an MoE second one: 8 experts, 2 shared,
 * top-2 softmax greedy; grouped-query attention, RoPE, untied head) written by PyTorch 1.13 as a
 * Hugging Face checkpoint (golden/moe_transformer: config.json, model.safetensors; see
 * tests/golden/README.md): {@link MoeTransformer#fromPretrained} loads it strictly, and its logits
 * for the file's [2, 9] input ids must match PyTorch's, the MoE layer choosing the same experts for
 * every token. On cpu in F32, and converted to F64 on the reference backend.
 *
 * <p><b>Tolerance</b>, norm-wise, reasoned as in LlamaBlockGoldenTest: float32 sums of K terms are
 * within about K eps of exact, and the bounds add along the chain. Forward only: a block is about 122
 * / 2 = 61 terms deep (norm 16, projections 16, scores 4, softmax and P V 7 + 7, o_proj 16, then the
 * feed-forward's norm 16, gate/up 16, down 24; the MoE layer's router 16 + 8 and combine 3 are
 * no longer), so two blocks, the final norm (16) and the head (16) make about 160: {@code TOL = 2 *
 * 160 eps ~ 3.8e-5}. A wrong layout (a transposed projection, the wrong rotary half, a dense layer
 * where the MoE should be) is off by order one.
 */
class MoeTransformerGoldenTest {
    private static final double TOL = 2 * 160 * 0x1p-23;

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void logitsFromAHuggingFaceCheckpointMatchPyTorch(String deviceName) throws IOException {
        Path dir = GoldenFiles.file("moe_transformer");
        Device device = Device.of(deviceName);
        DType dtype = device.equals(Device.reference()) ? DType.F64 : DType.F32;
        Map<String, Tensor> expected = SafeTensors.read(dir.resolve("expected.safetensors"));

        MoeTransformer model = MoeTransformer.fromPretrained(dir);
        model.to(dtype).to(device);
        Tensor logits = model.forward(expected.get("input_ids").to(device));

        assertArrayEquals(new long[] {2, 9, 32}, logits.shape());
        assertEquals(dtype, logits.dtype());
        assertEquals(1, model.moeLayers().size());
        assertArrayEquals(expected.get("routing.1.topk_idx").toLongArray(),
                model.moeLayers().get(0).lastRoutes().indices().toLongArray(), "layer 1's chosen experts");
        assertClose("logits", expected.get("logits").toDoubleArray(), logits, TOL);
    }
}
