package dev.tessera.tests.moe.golden;

import static dev.tessera.tests.golden.GoldenFiles.assertClose;
import static dev.tessera.tests.golden.GoldenFiles.assertWithin;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.moe.DeepSeekMoE;
import dev.tessera.moe.MoeConfig;
import dev.tessera.moe.Routing;
import dev.tessera.nn.Parameter;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.io.SafeTensors;
import dev.tessera.tests.golden.GoldenFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The DeepSeekMoE layer against PyTorch 1.13 (tests/golden/deepseek_moe.py; the files are described
 * in tests/golden/README.md): a V3 layer (sigmoid, noaux_tc with groups and a selection bias,
 * normalised, rho 2.5), a V2 layer (softmax, greedy, rho 16) and a V2 layer with group-limited
 * greedy routing. The layer is built from the file's own config (its {@code config} metadata read
 * as a config.json) and loads the file's weights by their Hugging Face names with a strict state
 * dict. The chosen experts and the tokens per expert must be equal; the router logits, the gating
 * weights, the output, the loss {@code sum(out * probe)} and its gradient for x and every parameter
 * close; an expert no token chose must get an exact zero gradient. On cpu in F32, on the reference
 * backend in F64. The files' score margins (over 1e-3) keep rounding from flipping a choice.
 *
 * <p><b>Tolerance</b>, norm-wise, reasoned as in LlamaBlockGoldenTest: a float32 sum of K terms is
 * within about K eps (eps = 2^-23) of exact, relative to its magnitude, and the bounds add along a
 * chain. The longest chain is an expert weight's gradient: forward gate logits (12 terms), softmax
 * (16), normalisation (4), gate/up projections (12), down (8), the combine (K + 1 = 5); backward the
 * same reductions again (57), and the weight gradient's sum over the 20 tokens: 134 in all. PyTorch's
 * F32 is that far from exact and so is Tessera's, so {@code TOL = 2 * 134 eps ~ 3.2e-5}. The
 * loss sums 240 products whose terms cancel (their magnitudes add up to 19 to 60 times |loss|), so
 * its bound is relative to that sum of magnitudes: {@code 2 * (57 + 240) eps} of it. A wrong
 * rule (weights from the biased scores, a missing rho, the wrong group score) is off by order one.
 */
class MoeLayerGoldenTest {
    private static final double TOL = 2 * 134 * 0x1p-23;
    /** The loss adds 240 products of out (57 terms deep) and probe: relative to the sum of their magnitudes. */
    private static final double LOSS_TOL = 2 * (57 + 240) * 0x1p-23;

    @ParameterizedTest
    @CsvSource({"moe_v3_layer, cpu", "moe_v3_layer, reference", "moe_v2_layer, cpu", "moe_v2_layer, reference",
            "moe_v2_group_layer, cpu", "moe_v2_group_layer, reference"})
    void routingOutputAndEveryGradientMatchPyTorch(String name, String deviceName, @TempDir Path tmp) throws IOException {
        Path file = GoldenFiles.file(name + ".safetensors");
        Device device = Device.of(deviceName);
        DType dtype = device.equals(Device.reference()) ? DType.F64 : DType.F32;
        Map<String, Tensor> golden = SafeTensors.read(file);
        Path config = Files.writeString(tmp.resolve("config.json"), SafeTensors.readMetadata(file).get("config"));

        DeepSeekMoE moe = new DeepSeekMoE(MoeConfig.fromHfConfig(config), new Generator(0));
        moe.to(dtype).to(device);
        Map<String, Tensor> weights = new HashMap<>(golden);
        weights.keySet().retainAll(moe.stateDict().keySet());
        moe.loadStateDict(weights, true);

        Tensor x = golden.get("x").to(dtype).to(device).requiresGrad(true);
        Tensor out = moe.forward(x);
        Tensor loss = out.mul(golden.get("probe").to(dtype).to(device)).sum();
        loss.backward();

        Routing routes = moe.lastRoutes();
        assertArrayEquals(golden.get("topk_idx").toLongArray(), routes.indices().toLongArray(), "topk_idx");
        long[] perExpert = golden.get("tokens_per_expert").toLongArray();
        assertArrayEquals(perExpert, moe.lastRouting().tokensPerExpert(), "tokens_per_expert");
        assertClose("router_logits", golden.get("router_logits").toDoubleArray(), routes.logits(), TOL);
        assertClose("topk_weight", golden.get("topk_weight").toDoubleArray(), routes.weights(), TOL);
        assertClose("out", golden.get("out").toDoubleArray(), out, TOL);
        double magnitudes = golden.get("out").mul(golden.get("probe")).abs().sum().item();
        assertWithin("loss", golden.get("loss").toDoubleArray(), loss, LOSS_TOL * magnitudes);
        assertClose("grad.x", golden.get("grad.x").toDoubleArray(), x.grad(), TOL);

        Set<String> compared = new TreeSet<>(Set.of("grad.x"));
        for (Map.Entry<String, Parameter> p : moe.namedParameters().entrySet()) {
            String key = "grad." + p.getKey();
            Tensor grad = p.getValue().grad();
            assertEquals(dtype, grad.dtype(), key + ": gradient dtype");
            assertClose(key, golden.get(key).toDoubleArray(), grad, TOL);
            compared.add(key);
        }
        // The V3 file leaves six experts idle, the V2 file one, the V2 group file none.
        for (int e = 0; e < perExpert.length; e++) {
            if (perExpert[e] == 0) {
                for (Parameter p : moe.expert(e).parameters()) {
                    assertTrue(p.grad().abs().max().item() == 0, "expert " + e + " chose no token: exact zero gradient");
                }
            }
        }
        Set<String> goldenGrads = new TreeSet<>(golden.keySet());
        goldenGrads.removeIf(k -> !k.startsWith("grad."));
        assertEquals(goldenGrads, compared, "every gradient PyTorch wrote is compared, and only those");
    }
}
