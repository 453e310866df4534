package dev.tessera.tests.moe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.autograd.Grad;
import dev.tessera.moe.MoeConfig;
import dev.tessera.moe.MoeTransformer;
import dev.tessera.nn.KvCache;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Incremental decoding with a {@link KvCache} computes what one forward over the whole sequence
 * does: a prompt of several tokens, then one token at a time, gives every position the logits of
 * the full forward. A cache that forgot the earlier tokens, misplaced the positions (RoPE) or masked
 * from the top-left would change them by far more than the tolerance.
 */
class KvCacheTest {
    private static final int VOCAB = 23;

    private static MoeTransformer model() {
        MoeConfig config = MoeConfig.builder().vocabSize(VOCAB).hidden(32).heads(4).kvHeads(2).intermediate(48)
                .moeIntermediate(16).routedExperts(8).sharedExperts(1).topK(2).layers(3).firstKDenseReplace(1)
                .scoring(MoeConfig.ScoringFunc.SIGMOID).topkMethod(MoeConfig.TopkMethod.NOAUX_TC).normTopkProb(true)
                .build();
        return new MoeTransformer(config, new Generator(5));
    }

    @Test
    void promptThenOneTokenAtATimeMatchesTheFullForward() {
        MoeTransformer model = model();
        int batch = 2;
        int length = 11;
        int prompt = 4;
        long[] ids = new long[batch * length];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (i * 7 + 3) % VOCAB;
        }
        Tensor all = Tensor.of(ids, batch, length);
        try (var off = Grad.off()) {
            float[] full = model.forward(all).contiguous().toFloatArray();
            KvCache cache = model.newCache();
            float[][] pieces = new float[length][];
            Tensor first = model.forward(all.slice(1, 0, prompt).contiguous(), cache).contiguous();
            for (int t = 0; t < prompt; t++) {
                pieces[t] = first.narrow(1, t, 1).contiguous().toFloatArray();
            }
            for (int t = prompt; t < length; t++) {
                pieces[t] = model.forward(all.slice(1, t, t + 1).contiguous(), cache).contiguous().toFloatArray();
            }
            assertEquals(length, cache.length());
            double worst = 0;
            for (int t = 0; t < length; t++) {
                for (int b = 0; b < batch; b++) {
                    for (int v = 0; v < VOCAB; v++) {
                        double expected = full[(b * length + t) * VOCAB + v];
                        worst = Math.max(worst, Math.abs(pieces[t][b * VOCAB + v] - expected));
                    }
                }
            }
            assertTrue(worst < 1e-4, "cached logits differ from the full forward's by " + worst);
        }
    }

    @Test
    void aCacheOfAnotherDepthIsRefused() {
        MoeTransformer model = model();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> model.model().forward(Tensor.of(new long[] {1, 2}, 1, 2), new KvCache(2)));
        assertTrue(e.getMessage().contains("2 layers for 3 blocks"), e.getMessage());
    }
}
