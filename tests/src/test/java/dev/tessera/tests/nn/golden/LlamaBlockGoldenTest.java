package dev.tessera.tests.nn.golden;

import static dev.tessera.tests.golden.GoldenFiles.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.nn.DecoderBlock;
import dev.tessera.nn.Parameter;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.io.SafeTensors;
import dev.tessera.tests.golden.GoldenFiles;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A Llama-style decoder block (RMSNorm, grouped-query causal attention with RoPE, SwiGLU) against
 * PyTorch 1.13: golden/llama_block.safetensors, written by tests/golden/make_llama_block_golden.py,
 * which documents the block. The weights load by their Hugging Face names with a strict state
 * dict, so the names and layouts are checked too. The output and the gradient of
 * {@code sum(out * probe)} with respect to x and every weight are compared on the cpu backend in
 * F32 and on the reference backend in F64.
 *
 * <p><b>Tolerance</b>, norm-wise as in MlpGoldenTest: a float32 sum of K terms is within about
 * K eps (eps = 2^-23) of exact, relative to its magnitude, and the bounds add along a chain. The
 * longest chain is a weight gradient through the whole block and back: forward RMSNorm (16),
 * projections (16), scores (4), softmax and P V (7 + 7), o_proj (16), RMSNorm (16), gate/up (16),
 * down (24), then the same reductions backward, about 2 x 122 = 244 terms, plus the batch
 * reduction of the weight gradient (14 rows): 258. PyTorch's F32 is that far from exact and so is
 * Tessera's, so {@code TOL = 2 * 258 eps ~ 6.2e-5}. A wrong rule (a missing scale, a transposed
 * weight, the wrong rotary half) is off by order one.
 */
class LlamaBlockGoldenTest {
    private static final double TOL = 2 * 258 * 0x1p-23;
    private static final String FILE = "llama_block.safetensors";

    @ParameterizedTest
    @ValueSource(strings = {"cpu", "reference"})
    void outputAndEveryGradientMatchPyTorch(String deviceName) throws IOException {
        Device device = Device.of(deviceName);
        DType dtype = device.equals(Device.reference()) ? DType.F64 : DType.F32;
        Map<String, Tensor> golden = SafeTensors.read(GoldenFiles.file(FILE));

        DecoderBlock block = new DecoderBlock(16, 4, 2, 4, 24, 10000, 1e-6, new Generator(0));
        block.to(dtype).to(device);
        Map<String, Tensor> weights = new HashMap<>(golden);
        weights.keySet().retainAll(block.namedParameters().keySet());
        block.loadStateDict(weights, true);

        Tensor x = golden.get("x").to(dtype).to(device).requiresGrad(true);
        Tensor positions = Tensor.arange(7).to(device);
        Tensor out = block.forward(x, positions);
        Tensor loss = out.mul(golden.get("probe").to(dtype).to(device)).sum();
        loss.backward();

        assertClose("out", golden.get("out").toDoubleArray(), out, TOL);
        assertClose("loss", golden.get("loss").toDoubleArray(), loss, TOL);
        assertClose("grad.x", golden.get("grad.x").toDoubleArray(), x.grad(), TOL);
        for (Map.Entry<String, Parameter> p : block.namedParameters().entrySet()) {
            Tensor grad = p.getValue().grad();
            assertEquals(dtype, grad.dtype(), p.getKey() + ": gradient dtype");
            assertClose("grad." + p.getKey(), golden.get("grad." + p.getKey()).toDoubleArray(), grad, TOL);
        }
    }
}
