package dev.tessera.moe.demo.run;

import dev.tessera.autograd.Grad;
import dev.tessera.moe.DeepSeekMoE;
import dev.tessera.moe.ExpertLoad;
import dev.tessera.moe.MoeTransformer;
import dev.tessera.moe.demo.data.Batch;
import dev.tessera.moe.demo.data.Tokens;
import dev.tessera.moe.demo.metrics.LossByKind;
import dev.tessera.moe.demo.metrics.RoutingByKind;
import dev.tessera.moe.demo.metrics.RoutingCounts;
import dev.tessera.nn.Losses;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * One pass over held-out batches without gradients: the loss per kind of data, which experts each
 * kind was routed to in every MoE layer, and each layer's load over the whole pass.
 */
public record Evaluation(LossByKind losses, RoutingCounts routing, List<ExpertLoad> loads) {

    public static Evaluation run(MoeTransformer model, List<String> kinds, List<Batch> batches) {
        List<DeepSeekMoE> layers = model.moeLayers();
        int experts = model.config().nRoutedExperts();
        int topK = model.config().numExpertsPerTok();
        LossByKind losses = new LossByKind(kinds.size());
        RoutingByKind routing = new RoutingByKind(layers.size(), kinds, experts);
        List<ExpertLoad> loads = new ArrayList<>();
        for (int l = 0; l < layers.size(); l++) {
            loads.add(ExpertLoad.empty(experts, topK));
        }
        boolean training = model.isTraining();
        model.eval();
        try (Grad.Scope off = Grad.off()) {
            for (Batch batch : batches) {
                losses.add(batch, tokenLosses(model, batch).toFloatArray());
                int[] tokenKinds = batch.kinds();
                for (int l = 0; l < layers.size(); l++) {
                    DeepSeekMoE layer = layers.get(l);
                    routing.add(l, tokenKinds, layer.lastRoutes().indices().contiguous().toLongArray(), topK);
                    loads.set(l, loads.get(l).plus(layer.lastRouting()));
                }
            }
        } finally {
            model.train(training);
        }
        return new Evaluation(losses, routing.counts(), List.copyOf(loads));
    }

    /** Cross-entropy per position [B * T] (0 where there is no target), from one forward of the batch. */
    static Tensor tokenLosses(MoeTransformer model, Batch batch) {
        Tensor logits = model.forward(batch.inputIds().to(model.device()));
        long positions = (long) batch.rows() * batch.length();
        Tensor targets = batch.targetIds().reshape(positions).to(model.device());
        return Losses.crossEntropy(logits.reshape(positions, logits.size(2)), targets,
                Tokens.IGNORE, Losses.Reduction.NONE);
    }
}
