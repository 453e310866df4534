package dev.tessera.moe;

import dev.tessera.nn.Autocast;
import dev.tessera.nn.FeedForward;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.ModuleList;
import dev.tessera.nn.SwiGLU;
import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.MoePlan;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The DeepSeekMoE feed-forward (REFERENCE §1): y = shared(x) + sum_k w_k * expert_{idx_k}(x), with
 * the experts and weights a {@link Router} picks. Children have the Hugging Face names:
 * {@code experts.{j}} (one SwiGLU of width {@code moe_intermediate_size} per routed expert),
 * {@code gate} (the router: {@code gate.weight}, {@code gate.e_score_correction_bias}) and
 * {@code shared_experts} (one SwiGLU of width {@code n_shared_experts * moe_intermediate_size},
 * absent when there is none). The residual is the caller's.
 *
 * <p>Dispatch sorts the (token, slot) assignments by expert, runs each expert once over its
 * contiguous rows and combines back in F32 (REFERENCE §1.4, §2.3). With a {@code capacity_factor},
 * each expert keeps the first C = ceil(T K / E * CF) of its assignments in token order; a dropped
 * one adds nothing (the surviving weights are not renormalised). Gradients reach the input, the
 * router's parameters through the weights, and every expert (an expert without tokens gets an
 * exact zero); the selection itself has none.
 */
public final class DeepSeekMoE extends Module implements FeedForward {
    private final MoeConfig config;
    private final ModuleList experts;
    private final Router router;
    private final DeepSeekRouter deepSeekRouter;
    private final SwiGLU shared;
    private Routing lastRoutes;
    private ExpertLoad lastLoad;
    private long lastSequenceLength;

    /** The layer of {@code config} with a {@link DeepSeekRouter}, every weight drawn from {@code generator}. */
    public DeepSeekMoE(MoeConfig config, Generator generator) {
        this(config, new DeepSeekRouter(config, generator), generator);
    }

    /**
     * The layer of {@code config} routed by {@code router} (registered as {@code gate}), which must
     * choose K = num_experts_per_tok of E = n_routed_experts; experts drawn from {@code generator}.
     */
    public <R extends Module & Router> DeepSeekMoE(MoeConfig config, R router, Generator generator) {
        if (router.numExperts() != config.nRoutedExperts() || router.topK() != config.numExpertsPerTok()) {
            throw new IllegalArgumentException("DeepSeekMoE: the router chooses " + router.topK() + " of "
                    + router.numExperts() + " experts, the config says num_experts_per_tok " + config.numExpertsPerTok()
                    + " of n_routed_experts " + config.nRoutedExperts());
        }
        this.config = config;
        this.experts = register("experts", new ModuleList());
        for (int e = 0; e < config.nRoutedExperts(); e++) {
            experts.add(new SwiGLU(config.hiddenSize(), config.moeIntermediateSize(), generator));
        }
        this.router = register("gate", router);
        this.deepSeekRouter = router instanceof DeepSeekRouter d ? d : null;
        this.shared = config.nSharedExperts() == 0 ? null : register("shared_experts",
                new SwiGLU(config.hiddenSize(), (long) config.nSharedExperts() * config.moeIntermediateSize(), generator));
    }

    /** Maps x of shape [T, H] or [B, S, H] to the same shape. */
    @Override
    public Tensor forward(Tensor x) {
        long hidden = config.hiddenSize();
        if ((x.rank() != 2 && x.rank() != 3) || x.size(x.rank() - 1) != hidden) {
            throw new IllegalArgumentException("DeepSeekMoE.forward: x of shape " + Shape.str(x.shape())
                    + " must be [T, " + hidden + "] or [B, S, " + hidden + "]");
        }
        long tokens = x.numel() / hidden;
        Tensor flat = x.reshape(tokens, hidden);
        Routing routing = router.route(flat);
        MoePlan plan = Fused.moePlan(routing.indices(), config.nRoutedExperts(), config.capacity(tokens));
        Tensor rows = Autocast.cast(Fused.moePermute(flat, plan));
        Tensor gate = Fused.groupedMatmul(rows, plan.counts(), weights(SwiGLU::gateProj));
        Tensor up = Fused.groupedMatmul(rows, plan.counts(), weights(SwiGLU::upProj));
        Tensor down = Fused.groupedMatmul(gate.silu().mul(up), plan.counts(), weights(SwiGLU::downProj));
        // The combine accumulates in the routing weights' dtype: F32 even for BF16 experts (REFERENCE §1.4).
        Tensor y = Fused.moeUnpermute(down.to(routing.weights().dtype()), plan, routing.weights());
        if (shared != null) {
            y = y.add(shared.forward(flat).to(y.dtype()));
        }
        lastRoutes = routing;
        lastLoad = load(routing.indices(), plan.counts());
        lastSequenceLength = x.rank() == 3 ? x.size(1) : tokens;
        return y.to(x.dtype()).reshape(x.shape());
    }

    /** The last forward's routing statistics (loads per expert, balance metrics, drops), or null before any forward. */
    public ExpertLoad lastRouting() {
        return lastLoad;
    }

    /** The last forward's routing tensors (indices, weights, scores, logits, with their graph), or null before any forward. */
    public Routing lastRoutes() {
        return lastRoutes;
    }

    /**
     * The auxiliary losses of the last forward, each times its config coefficient: the expert-level
     * loss ({@code aux_loss_alpha}; per sequence of a [B, S, H] input when {@code seq_aux}, else over
     * all tokens; a [T, H] input is one sequence), the V3 sequence-wise loss ({@code
     * seq_balance_alpha}) and the z-loss ({@code router_z_loss_coef}).
     */
    public AuxLoss auxLoss() {
        if (lastRoutes == null) {
            throw new IllegalStateException("DeepSeekMoE.auxLoss: no forward yet");
        }
        long tokens = lastRoutes.tokens();
        long expertGroup = config.seqAux() ? lastSequenceLength : tokens;
        Tensor zero = Tensor.zeros(lastRoutes.scores().dtype()).to(lastRoutes.scores().device());
        return new AuxLoss(
                config.auxLossAlpha() == 0 ? zero : BalanceLosses.expertBalance(lastRoutes, expertGroup, config.auxLossAlpha()),
                config.seqBalanceAlpha() == 0 ? zero
                        : BalanceLosses.sequenceBalance(lastRoutes, lastSequenceLength, config.seqBalanceAlpha()),
                config.routerZLossCoef() == 0 ? zero : BalanceLosses.zLoss(lastRoutes, config.routerZLossCoef()));
    }

    /**
     * The aux-loss-free bias step after an optimizer step, from the step's loads (the total of a
     * {@link RoutingStats} over the step's forwards): see {@link DeepSeekRouter#updateBias}.
     */
    public void updateBias(ExpertLoad stepLoad) {
        if (deepSeekRouter == null) {
            throw new IllegalStateException("DeepSeekMoE.updateBias: the router is a "
                    + router.getClass().getSimpleName() + ", not a DeepSeekRouter");
        }
        deepSeekRouter.updateBias(stepLoad.tokensPerExpert());
    }

    /** The config the layer was built from. */
    public MoeConfig config() {
        return config;
    }

    /** The router ({@code gate}). */
    public Router router() {
        return router;
    }

    /** Routed expert {@code j} ({@code experts.j}). */
    public SwiGLU expert(int j) {
        return (SwiGLU) experts.get(j);
    }

    /** The shared expert ({@code shared_experts}), or null when n_shared_experts is 0. */
    public SwiGLU sharedExperts() {
        return shared;
    }

    @Override
    protected String describeSettings() {
        return "hidden=" + config.hiddenSize() + ", experts=" + config.nRoutedExperts() + "x"
                + config.moeIntermediateSize() + ", k=" + config.numExpertsPerTok() + ", shared="
                + config.nSharedExperts() + (config.capacityFactor().isPresent()
                        ? ", capacity_factor=" + config.capacityFactor().getAsDouble() : ", dropless");
    }

    private List<Tensor> weights(Function<SwiGLU, Linear> projection) {
        List<Tensor> out = new ArrayList<>(config.nRoutedExperts());
        for (int e = 0; e < config.nRoutedExperts(); e++) {
            out.add(Autocast.cast(projection.apply(expert(e)).weight().value()));
        }
        return out;
    }

    /** Loads per expert from the chosen indices; drops = routed minus kept. */
    private ExpertLoad load(Tensor indices, Tensor keptCounts) {
        int numExperts = config.nRoutedExperts();
        long[] routed = new long[numExperts];
        for (long id : indices.toLongArray()) {
            routed[(int) id]++;
        }
        long[] kept = keptCounts.toLongArray();
        long[] dropped = new long[numExperts];
        for (int e = 0; e < numExperts; e++) {
            dropped[e] = routed[e] - kept[e];
        }
        return new ExpertLoad(routed, dropped, indices.size(0), config.numExpertsPerTok());
    }
}
