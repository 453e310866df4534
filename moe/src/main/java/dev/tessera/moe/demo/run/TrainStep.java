package dev.tessera.moe.demo.run;

import dev.tessera.moe.MoeTransformer;
import dev.tessera.moe.cli.Balance;
import dev.tessera.moe.demo.data.Batch;
import dev.tessera.nn.optim.AdamW;
import dev.tessera.nn.optim.GradClip;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.ParamGroups;
import dev.tessera.tensor.Tensor;

/**
 * One optimizer step of the demo's training, on its own so that a benchmark can time exactly what
 * {@link Training} runs: next-token cross-entropy (mean over the batch's targets, plus the
 * sequence-wise balance loss under {@link Balance#AUX}), backward, global-norm clipping, an AdamW
 * step over the decay and no-decay groups, and under {@link Balance#BIAS} the bias update from the
 * step's loads.
 */
public final class TrainStep {
    private final MoeTransformer model;
    private final Optimizer optimizer;
    private final Balance balance;
    private final double clipNorm;

    /** Steps of {@code model}, whose parameters must already be on their device, with the settings' AdamW. */
    public TrainStep(MoeTransformer model, RunSettings settings, Balance balance) {
        this.model = model;
        this.optimizer = new AdamW(ParamGroups.decayAndNoDecay(model, settings.peakLr(), settings.weightDecay()));
        this.balance = balance;
        this.clipNorm = settings.clipNorm();
    }

    /** A step's cross-entropy: the mean over the batch's targets, and each position's (0 where none). */
    public record Loss(double mean, float[] perToken) {}

    /** One optimizer step on {@code batch} at learning rate {@code lr}. */
    public Loss run(Batch batch, double lr) {
        optimizer.setLr(lr);
        optimizer.zeroGrad();
        Tensor tokenLosses = Evaluation.tokenLosses(model, batch);
        Tensor crossEntropy = tokenLosses.sum().div(batch.targetCount());
        Tensor loss = balance == Balance.AUX ? crossEntropy.add(model.auxLoss().sequenceBalance()) : crossEntropy;
        loss.backward();
        GradClip.clipByGlobalNorm(model.parameters(), clipNorm);
        optimizer.step();
        if (balance == Balance.BIAS) {
            model.updateBias(model.lastRouting());
        }
        return new Loss(crossEntropy.item(), tokenLosses.detach().toFloatArray());
    }

    /** The model this steps. */
    public MoeTransformer model() {
        return model;
    }

    /** The optimizer, whose state a checkpoint saves and restores. */
    public Optimizer optimizer() {
        return optimizer;
    }
}
