package dev.tessera.moe.demo.report;

import java.util.List;

/**
 * What {@code report.md} says about a finished run.
 *
 * @param config the run's settings, in the order to show them
 * @param totalParameters every parameter of the model
 * @param activeParameters the parameters one token passes through (shared experts and its top-K
 *     routed experts, not the other routed ones)
 * @param steps optimizer steps run
 * @param tokensPerSecond training tokens (targets) per second of training
 * @param finalEvalLoss the mean held-out loss over every kind, at the end
 * @param kinds final losses per kind of data
 * @param generations sample generations, a few per kind
 * @param pictures the pictures' file names, in the report's folder
 * @param balanceRuns the run's and its twin's final balance and loss when a twin with another
 *     balance setting was trained (the run first), else empty
 */
public record RunReport(List<Setting> config, long totalParameters, long activeParameters, long steps,
        double tokensPerSecond, double finalEvalLoss, List<KindResult> kinds, List<Generation> generations,
        List<String> pictures, List<BalanceRun> balanceRuns) {

    /** One configuration entry. */
    public record Setting(String name, String value) {}

    /**
     * One kind's final losses; {@code answeredRight} is the share of held-out prompts answered exactly,
     * NaN for a kind without one right answer (or not scored).
     */
    public record KindResult(String kind, double trainLoss, double evalLoss, double answeredRight) {}

    /** A prompt, what the model wrote after it, and the right answer (null when the kind has none). */
    public record Generation(String kind, String prompt, String output, String expected) {}

    /**
     * How one balance setting ended: the busiest expert's load over the mean load per MoE layer on
     * the final held-out evaluation (1 is perfect balance), and the final held-out loss.
     */
    public record BalanceRun(String balance, double[] maxOverMean, double evalLoss) {
        public BalanceRun {
            maxOverMean = maxOverMean.clone();
        }

        @Override
        public double[] maxOverMean() {
            return maxOverMean.clone();
        }
    }

    public RunReport {
        config = List.copyOf(config);
        kinds = List.copyOf(kinds);
        generations = List.copyOf(generations);
        pictures = List.copyOf(pictures);
        balanceRuns = List.copyOf(balanceRuns);
        if (balanceRuns.size() == 1) {
            throw new IllegalArgumentException("RunReport: one balance run (" + balanceRuns.getFirst().balance()
                    + ") has nothing to be compared with");
        }
        if (totalParameters < 0 || activeParameters < 0 || activeParameters > totalParameters) {
            throw new IllegalArgumentException("RunReport: " + activeParameters + " active of " + totalParameters
                    + " parameters: need 0 <= active <= total");
        }
        for (String picture : pictures) {
            if (picture.isBlank() || picture.contains("/") || picture.contains("\\")) {
                throw new IllegalArgumentException("RunReport: picture '" + picture
                        + "' must be a file name in the report's folder");
            }
        }
    }
}
