package dev.tessera.moe.demo.metrics;

import java.util.ArrayList;
import java.util.List;

/** Records losses per kind as training goes; {@link #curves()} is the chart's input. */
public final class LossHistory {
    private final List<String> kinds;
    private final List<Long> trainSteps = new ArrayList<>();
    private final List<double[]> train = new ArrayList<>();
    private final List<Long> evalSteps = new ArrayList<>();
    private final List<double[]> eval = new ArrayList<>();

    public LossHistory(List<String> kinds) {
        this.kinds = List.copyOf(kinds);
    }

    /** One training step's loss per kind (NaN for a kind the batch lacked). */
    public void addTrain(long step, double[] perKind) {
        trainSteps.add(step);
        train.add(checked("addTrain", perKind));
    }

    /** One evaluation's loss per kind. */
    public void addEval(long step, double[] perKind) {
        evalSteps.add(step);
        eval.add(checked("addEval", perKind));
    }

    private double[] checked(String method, double[] perKind) {
        if (perKind.length != kinds.size()) {
            throw new IllegalArgumentException("LossHistory." + method + ": " + perKind.length + " losses for "
                    + kinds.size() + " kinds " + kinds);
        }
        return perKind.clone();
    }

    public LossCurves curves() {
        return new LossCurves(kinds, steps(trainSteps), byKind(train), steps(evalSteps), byKind(eval));
    }

    private static long[] steps(List<Long> steps) {
        return steps.stream().mapToLong(Long::longValue).toArray();
    }

    private double[][] byKind(List<double[]> points) {
        double[][] out = new double[kinds.size()][points.size()];
        for (int i = 0; i < points.size(); i++) {
            for (int k = 0; k < kinds.size(); k++) {
                out[k][i] = points.get(i)[k];
            }
        }
        return out;
    }
}
