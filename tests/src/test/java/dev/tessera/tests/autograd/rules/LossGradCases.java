package dev.tessera.tests.autograd.rules;

import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Op;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Gradient cases of the fused losses. Cross-entropy's loss per row is weighted by the check's
 * random weights, so each row's gradient is scaled by its own gradLoss; about a quarter of the
 * targets are ignored, and the ignore index may be a class id inside [0, C).
 */
final class LossGradCases {
    private LossGradCases() {}

    static void addTo(Map<Op, GradCaseMaker> makers) {
        makers.put(Op.CROSS_ENTROPY, LossGradCases::crossEntropy);
    }

    /** Logits [..., C] of rank 1 to 3, C from 1 to 6. */
    private static GradCase crossEntropy(Draw d) {
        long[] shape = d.shape(1, 3);
        long classes = shape[shape.length - 1];
        long[] targetShape = Arrays.copyOf(shape, shape.length - 1);
        long ignore = d.coin() ? -100 : d.between(0, (int) classes - 1);
        long[] targets = d.indices(GradLayout.numel(targetShape), classes);
        for (int i = 0; i < targets.length; i++) {
            targets[i] = d.oneIn(4) ? ignore : targets[i];
        }
        GradInput logits = d.input("logits", shape, d.uniform(GradLayout.numel(shape), -3, 3));
        return d.done(Op.CROSS_ENTROPY, "ignore=" + ignore + ", targets=" + Arrays.toString(targets), List.of(logits),
                (in, device) -> List.of(Fused.crossEntropy(in.get(0), Draw.indexTensor(targets, targetShape, device), ignore)));
    }
}
