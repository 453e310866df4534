package dev.tessera.moe.demo.run;

import dev.tessera.autograd.Grad;
import dev.tessera.moe.MoeTransformer;
import dev.tessera.moe.demo.data.Tokens;
import dev.tessera.nn.KvCache;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Continues a prompt token by token with a {@link KvCache}: one forward over the prompt, then one
 * forward of a single token per new token. Stops at {@link Tokens#EOS} or after the budget.
 */
public final class Decoder {
    private final MoeTransformer model;

    public Decoder(MoeTransformer model) {
        this.model = model;
    }

    /** The text the model writes after {@code prompt} (BOS is put before it). */
    public String continueText(String prompt, int maxTokens, Sampling sampling) {
        return Tokens.decode(continueIds(Tokens.prompt(prompt), maxTokens, sampling));
    }

    /** The new token ids after {@code prompt}, EOS included when the model wrote it. */
    public int[] continueIds(int[] prompt, int maxTokens, Sampling sampling) {
        SplittableRandom random = new SplittableRandom(sampling.seed());
        int[] out = new int[maxTokens];
        int written = 0;
        boolean training = model.isTraining();
        model.eval();
        try (Grad.Scope off = Grad.off()) {
            KvCache cache = model.newCache();
            Tensor logits = model.forward(ids(prompt).to(model.device()), cache);
            while (written < maxTokens) {
                float[] last = logits.narrow(1, logits.size(1) - 1, 1).contiguous().toFloatArray();
                int next = sampling.greedy() ? argmax(last) : draw(last, sampling, random);
                out[written++] = next;
                if (next == Tokens.EOS || written == maxTokens) {
                    break;
                }
                logits = model.forward(ids(new int[] {next}).to(model.device()), cache);
            }
        } finally {
            model.train(training);
        }
        return Arrays.copyOf(out, written);
    }

    private static Tensor ids(int[] tokens) {
        return Tensor.of(Arrays.stream(tokens).asLongStream().toArray(), 1, tokens.length);
    }

    /** The first index of the largest logit among the real tokens (PAD is never written). */
    static int argmax(float[] logits) {
        int best = 0;
        for (int i = 1; i < logits.length; i++) {
            if (i != Tokens.PAD && logits[i] > logits[best]) {
                best = i;
            }
        }
        return best;
    }

    /** Top-p sampling at the temperature: probabilities in double, the kept set renormalised. */
    static int draw(float[] logits, Sampling sampling, SplittableRandom random) {
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < logits.length; i++) {
            if (i != Tokens.PAD) {
                max = Math.max(max, logits[i]);
            }
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            p[i] = i == Tokens.PAD ? 0 : Math.exp((logits[i] - max) / sampling.temperature());
            sum += p[i];
        }
        double total = sum;
        // most likely first; ties by id, so the order (and the draw) is the same every time
        Integer[] order = IntStream.range(0, p.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -p[i]).thenComparingInt(i -> i));
        int kept = 0;
        double mass = 0;
        while (kept < order.length && (kept == 0 || mass < sampling.topP() * total)) {
            mass += p[order[kept++]];
        }
        double u = random.nextDouble() * mass;
        for (int j = 0; j < kept; j++) {
            u -= p[order[j]];
            if (u < 0) {
                return order[j];
            }
        }
        return order[kept - 1];
    }
}
