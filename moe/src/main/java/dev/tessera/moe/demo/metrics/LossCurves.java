package dev.tessera.moe.demo.metrics;

import java.util.List;

/**
 * Losses per kind of data over training: {@code train[k][i]} at {@code trainSteps[i]} and
 * {@code eval[k][i]} at {@code evalSteps[i]}; NaN where a kind had no tokens.
 */
public record LossCurves(List<String> kinds, long[] trainSteps, double[][] train, long[] evalSteps, double[][] eval) {
    public LossCurves {
        kinds = List.copyOf(kinds);
        trainSteps = trainSteps.clone();
        evalSteps = evalSteps.clone();
        train = Matrices.copy("LossCurves train", train, kinds.size(), trainSteps.length);
        eval = Matrices.copy("LossCurves eval", eval, kinds.size(), evalSteps.length);
    }

    @Override
    public long[] trainSteps() {
        return trainSteps.clone();
    }

    @Override
    public long[] evalSteps() {
        return evalSteps.clone();
    }

    @Override
    public double[][] train() {
        return Matrices.copy("LossCurves train", train, train.length, trainSteps.length);
    }

    @Override
    public double[][] eval() {
        return Matrices.copy("LossCurves eval", eval, eval.length, evalSteps.length);
    }
}
