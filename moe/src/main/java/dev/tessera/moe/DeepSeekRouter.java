package dev.tessera.moe;

import dev.tessera.autograd.Grad;
import dev.tessera.nn.Buffer;
import dev.tessera.nn.Init;
import dev.tessera.nn.Module;
import dev.tessera.nn.Parameter;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;

/**
 * The DeepSeek router (REFERENCE §1.3 with the DECISIONS of §1.5): logits = x W^T with
 * {@code weight} [E, H]; affinities s = softmax or sigmoid of the logits; selection scores
 * c = s + {@code e_score_correction_bias} (a buffer [E], only with {@code noaux_tc}); with group
 * limits, groups of E/G consecutive experts ranked by the sum of their two best c (noaux_tc) or
 * their best c (group_limited_greedy), every expert outside the best topk_group groups set to
 * -inf; the K best c, ties to the lower index (groups too); weights = the unbiased s of the chosen
 * experts, divided by their sum + 1e-20 when the scoring is sigmoid or {@code norm_topk_prob},
 * then times {@code routed_scaling_factor}.
 *
 * <p>Router GEMM, scores and weights run in F32 whatever the input's dtype (F64 when the input or
 * the weight is F64, for gradient checks). The selection is not differentiable; gradients reach the
 * weight and the input through the gathered weights (and the scores and logits the losses read).
 *
 * <p>With {@code router_noise}, training mode adds eps * softplus(x W_noise^T) to the logits, eps
 * ~ N(0, 1) drawn from the generator given at construction, W_noise = {@code noise_weight} [E, H]
 * starting at zero (Shazeer et al. 2017); selection and weights both use the noisy logits, as in
 * that paper. Evaluation mode never adds noise.
 */
public final class DeepSeekRouter extends Module implements Router {
    private static final double NORMALISE_EPS = 1e-20;

    private final MoeConfig config;
    private final Parameter weight;
    private final Buffer correctionBias;
    private final Parameter noiseWeight;
    private final Generator generator;

    /** A router for {@code config}, its weight drawn as PyTorch's Linear default (Kaiming-uniform, a = sqrt(5)). */
    public DeepSeekRouter(MoeConfig config, Generator generator) {
        this.config = config;
        this.generator = generator;
        int experts = config.nRoutedExperts();
        this.weight = parameter("weight", Init.kaimingUniform(generator, Math.sqrt(5), experts, config.hiddenSize()));
        this.correctionBias = config.hasCorrectionBias()
                ? buffer("e_score_correction_bias", Tensor.zeros(DType.F32, experts)) : null;
        this.noiseWeight = config.routerNoise()
                ? parameter("noise_weight", Tensor.zeros(experts, config.hiddenSize())) : null;
    }

    @Override
    public Routing route(Tensor x) {
        if (x.rank() != 2 || x.size(1) != config.hiddenSize()) {
            throw new IllegalArgumentException("DeepSeekRouter.route: x of shape " + Shape.str(x.shape())
                    + " must be [T, " + config.hiddenSize() + "]");
        }
        DType dtype = routerDType(x);
        Tensor xr = x.to(dtype);
        Tensor logits = xr.matmul(weight.value().to(dtype).t());
        if (noiseWeight != null && isTraining()) {
            Tensor std = softplus(xr.matmul(noiseWeight.value().to(dtype).t()));
            logits = logits.add(Tensor.randn(generator, logits.device(), logits.shape()).to(dtype).mul(std));
        }
        Tensor scores = config.scoringFunc() == MoeConfig.ScoringFunc.SIGMOID ? logits.sigmoid() : logits.softmax(-1);
        Tensor indices = select(scores);
        Tensor weights = scores.gather(1, indices);
        if (config.scoringFunc() == MoeConfig.ScoringFunc.SIGMOID || config.normTopkProb()) {
            weights = weights.div(weights.sum(1, true).add(NORMALISE_EPS));
        }
        weights = weights.mul(config.routedScalingFactor());
        return new Routing(indices, weights, scores, logits);
    }

    /** The K experts of each token: top-k of the biased, group-masked scores (no gradient). */
    private Tensor select(Tensor scores) {
        try (Grad.Scope off = Grad.off()) {
            Tensor choice = scores.detach();
            if (correctionBias != null) {
                choice = choice.add(correctionBias.value().to(choice.dtype()));
            }
            if (config.isGroupLimited()) {
                choice = maskOtherGroups(choice);
            }
            return choice.topk(config.numExpertsPerTok()).indices();
        }
    }

    /** Sets the choice score of every expert outside each token's best topk_group groups to -inf. */
    private Tensor maskOtherGroups(Tensor choice) {
        long tokens = choice.size(0);
        int groups = config.nGroup();
        int perGroup = config.expertsPerGroup();
        Tensor grouped = choice.view(tokens, groups, perGroup);
        Tensor groupScores = config.hasCorrectionBias()
                ? grouped.topk(Math.min(2, perGroup), -1, true).values().sum(-1)
                : grouped.max(-1);
        Tensor kept = groupScores.topk(config.topkGroup()).indices();
        Tensor keptGroups = Tensor.zeros(choice.dtype(), tokens, groups).to(choice.device())
                .scatterAdd(1, kept, Tensor.ones(choice.dtype(), tokens, config.topkGroup()).to(choice.device()));
        Tensor dropped = keptGroups.eq(0).unsqueeze(2).expand(tokens, groups, perGroup).reshape(tokens, groups * perGroup);
        return choice.maskedFill(dropped, Double.NEGATIVE_INFINITY);
    }

    /**
     * The aux-loss-free balancing step (REFERENCE §1.6.1), run after an optimizer step with the
     * step's assignments per expert (summed over its micro-batches): b_i += gamma * sign(mean - c_i),
     * gamma = {@code bias_update_speed}; an expert exactly at the mean keeps its bias.
     */
    public void updateBias(long[] tokensPerExpert) {
        if (correctionBias == null) {
            throw new IllegalStateException("DeepSeekRouter.updateBias: topk_method " + config.topkMethod().hfName()
                    + " has no e_score_correction_bias (only noaux_tc has one)");
        }
        int experts = config.nRoutedExperts();
        if (tokensPerExpert.length != experts) {
            throw new IllegalArgumentException("DeepSeekRouter.updateBias: " + tokensPerExpert.length
                    + " counts for " + experts + " experts");
        }
        long total = 0;
        for (long c : tokensPerExpert) {
            total += c;
        }
        double mean = (double) total / experts;
        Tensor old = correctionBias.value();
        double[] bias = old.toDoubleArray();
        for (int i = 0; i < experts; i++) {
            bias[i] += config.biasUpdateSpeed() * Math.signum(mean - tokensPerExpert[i]);
        }
        correctionBias.set(Tensor.of(bias, experts).to(old.dtype()).to(old.device()));
    }

    /** The gate weight [E, H] ({@code gate.weight} in the layer). */
    public Parameter weight() {
        return weight;
    }

    /** The selection bias [E] ({@code gate.e_score_correction_bias}), or null unless the method is noaux_tc. */
    public Buffer correctionBias() {
        return correctionBias;
    }

    @Override
    public int numExperts() {
        return config.nRoutedExperts();
    }

    @Override
    public int topK() {
        return config.numExpertsPerTok();
    }

    @Override
    protected String describeSettings() {
        return "experts=" + config.nRoutedExperts() + ", k=" + config.numExpertsPerTok() + ", scoring="
                + config.scoringFunc().hfName() + ", method=" + config.topkMethod().hfName()
                + (config.isGroupLimited() ? ", groups=" + config.topkGroup() + "/" + config.nGroup() : "");
    }

    /** F32, or F64 when the input or the weight is F64: never below F32 (REFERENCE §1.4). */
    private DType routerDType(Tensor x) {
        return x.dtype() == DType.F64 || weight.value().dtype() == DType.F64 ? DType.F64 : DType.F32;
    }

    /** log(1 + e^z), stable for large |z|: max(z, 0) + log(1 + e^-|z|). */
    private static Tensor softplus(Tensor z) {
        return z.relu().add(z.abs().neg().exp().add(1).log());
    }
}
