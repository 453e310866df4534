package dev.tessera.moe.demo.run;

import dev.tessera.moe.demo.data.Corpus;
import dev.tessera.moe.demo.data.Sample;
import dev.tessera.moe.demo.data.SyntheticCorpus;
import dev.tessera.moe.demo.data.SyntheticKind;
import dev.tessera.moe.demo.report.RunReport;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy answers to held-out prompts, per kind: the share answered exactly (for the synthetic kinds
 * with one right completion) and a few generations to show in the report.
 */
public record Answers(double[] rightShare, List<RunReport.Generation> generations) {
    /** Generations shown per kind. */
    public static final int SHOWN = 2;
    /** Held-out samples searched for each kind's prompts. */
    private static final int POOL = 2000;

    /** What writes a prompt's continuation: at most {@code maxTokens} tokens of text after {@code prompt}. */
    @FunctionalInterface
    public interface Completion {
        String after(String prompt, int maxTokens);
    }

    /** The model's greedy answers: see {@link #of(Completion, Corpus, int)}. */
    public static Answers of(Decoder decoder, Corpus corpus, int perKind) {
        return of((prompt, maxTokens) -> decoder.continueText(prompt, maxTokens, Sampling.GREEDY), corpus, perKind);
    }

    /**
     * The first {@code perKind} held-out prompts of each scored kind answered by {@code completion},
     * right when its text equals the sample's completion exactly (so it must stop where the sample
     * ends), and the first {@link #SHOWN} prompts of every kind with what it wrote.
     */
    public static Answers of(Completion completion, Corpus corpus, int perKind) {
        List<String> kinds = corpus.kinds();
        int wanted = Math.max(perKind, SHOWN);
        List<List<Sample>> byKind = new ArrayList<>();
        for (int k = 0; k < kinds.size(); k++) {
            byKind.add(new ArrayList<>());
        }
        for (Sample sample : corpus.heldOut(POOL)) {
            List<Sample> bucket = byKind.get(sample.kind());
            if (bucket.size() < wanted) {
                bucket.add(sample);
            }
        }
        double[] right = new double[kinds.size()];
        Arrays.fill(right, Double.NaN);
        List<RunReport.Generation> generations = new ArrayList<>();
        for (int k = 0; k < kinds.size(); k++) {
            boolean scored = corpus instanceof SyntheticCorpus && SyntheticKind.values()[k].scored();
            List<Sample> samples = byKind.get(k);
            int correct = 0;
            int asked = 0;
            for (int i = 0; i < samples.size(); i++) {
                Sample sample = samples.get(i);
                String prompt = prompt(sample);
                String expected = sample.text().substring(prompt.length());
                boolean counted = scored && i < perKind;
                if (!counted && i >= SHOWN) {
                    continue;
                }
                // room for the expected text and the end of the sample, or a sentence's worth
                int budget = scored ? expected.getBytes(StandardCharsets.UTF_8).length + 2 : 48;
                String output = completion.after(prompt, budget);
                if (counted) {
                    asked++;
                    correct += output.equals(expected) ? 1 : 0;
                }
                if (i < SHOWN) {
                    generations.add(new RunReport.Generation(kinds.get(k), prompt, output, scored ? expected : null));
                }
            }
            right[k] = asked == 0 ? Double.NaN : (double) correct / asked;
        }
        return new Answers(right, List.copyOf(generations));
    }

    /** The sample's own prompt, or the first 16 characters of a text window that has none. */
    private static String prompt(Sample sample) {
        if (!sample.prompt().isEmpty()) {
            return sample.prompt();
        }
        String text = sample.text();
        return text.substring(0, Math.min(16, text.length()));
    }
}
