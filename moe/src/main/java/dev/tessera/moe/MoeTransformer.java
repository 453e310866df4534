package dev.tessera.moe;

import dev.tessera.nn.Autocast;
import dev.tessera.nn.DecoderBlock;
import dev.tessera.nn.DecoderStack;
import dev.tessera.nn.Embedding;
import dev.tessera.nn.KvCache;
import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.RMSNorm;
import dev.tessera.nn.SwiGLU;
import dev.tessera.nn.functional.F;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A DeepSeek MoE language model laid out as Hugging Face's {@code DeepseekForCausalLM} (the
 * DeepSeekMoE 16B architecture, REFERENCE §1.1): {@code model.embed_tokens}, blocks
 * {@code model.layers.{i}} of {@code input_layernorm}, {@code self_attn} (causal grouped-query
 * attention with rotate-half RoPE), {@code post_attention_layernorm} and {@code mlp}, then
 * {@code model.norm} and {@code lm_head}. The {@code mlp} of layer i is a {@link DeepSeekMoE} when
 * {@link MoeConfig#isMoeLayer(int)} (i >= first_k_dense_replace and i % moe_layer_freq == 0), else
 * a dense {@link SwiGLU} of width {@code intermediate_size}. With {@code tie_word_embeddings} the
 * output projection is the embedding table and there is no {@code lm_head.weight}, as in a Hugging
 * Face checkpoint of a tied model.
 *
 * <p>For a trainer: {@link #moeLayers()} in layer order, {@link #auxLoss()} summed over them,
 * {@link #lastRouting()} and {@link #updateBias(List)} after each optimizer step.
 */
public final class MoeTransformer extends Module {
    private final MoeConfig config;
    private final DecoderStack model;
    private final Linear lmHead;
    private final List<DeepSeekMoE> moeLayers;

    /**
     * A model of {@code config}, every weight drawn from {@code generator} in the order of its names
     * (embeddings N(0, 1), projections PyTorch's Linear default).
     *
     * @throws IllegalArgumentException if num_attention_heads does not divide hidden_size or
     *     num_key_value_heads does not divide num_attention_heads
     */
    public MoeTransformer(MoeConfig config, Generator generator) {
        checkHeads(config);
        this.config = config;
        long hidden = config.hiddenSize();
        int heads = config.numAttentionHeads();
        int headDim = (int) (hidden / heads);
        Embedding embed = new Embedding(config.vocabSize(), hidden, generator);
        List<DecoderBlock> blocks = new ArrayList<>();
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            blocks.add(config.isMoeLayer(i)
                    ? new DecoderBlock(hidden, heads, config.numKeyValueHeads(), headDim, config.ropeTheta(),
                            config.rmsNormEps(), generator, () -> new DeepSeekMoE(config, generator))
                    : new DecoderBlock(hidden, heads, config.numKeyValueHeads(), headDim, config.ropeTheta(),
                            config.rmsNormEps(), generator, () -> new SwiGLU(hidden, config.intermediateSize(), generator)));
        }
        this.model = register("model", new DecoderStack(embed, blocks, new RMSNorm(hidden, config.rmsNormEps())));
        this.lmHead = config.tieWordEmbeddings() ? null
                : register("lm_head", new Linear(hidden, config.vocabSize(), false, generator));
        List<DeepSeekMoE> moe = new ArrayList<>();
        for (DecoderBlock block : blocks) {
            if (block.mlp() instanceof DeepSeekMoE layer) {
                moe.add(layer);
            }
        }
        this.moeLayers = List.copyOf(moe);
    }

    /**
     * The model in {@code dir}: its shape from {@code config.json} ({@link MoeConfig#fromHfConfig}),
     * its weights from the safetensors files Hugging Face reads there (every shard named in
     * {@code model.safetensors.index.json}, else {@code model.safetensors}), loaded strictly (every
     * parameter and buffer present with its shape, no other key).
     *
     * @throws IOException if config.json or the weights are missing, or a file cannot be read,
     *     naming the file; or if two shards hold the same key
     * @throws IllegalArgumentException if the config's values disagree, or keys are missing,
     *     unexpected or of another shape, naming the directory and every such key
     */
    public static MoeTransformer fromPretrained(Path dir) throws IOException {
        return PretrainedFiles.load(dir);
    }

    /** The logits [B, T, vocab] of the next token after each of the integer token {@code inputIds} [B, T], at positions 0..T-1. */
    public Tensor forward(Tensor inputIds) {
        return logits(model.forward(inputIds, DecoderStack.positions("MoeTransformer", inputIds)));
    }

    /**
     * The logits [B, N, vocab] after each of the new token {@code inputIds} [B, N], which follow the
     * tokens already in {@code cache} (and are appended to it): incremental decoding.
     */
    public Tensor forward(Tensor inputIds, KvCache cache) {
        return logits(model.forward(inputIds, cache));
    }

    /** A cache for this model's layers, empty. */
    public KvCache newCache() {
        return new KvCache(config.numHiddenLayers());
    }

    private Tensor logits(Tensor h) {
        if (lmHead != null) {
            return lmHead.forward(h);
        }
        return F.linear(Autocast.cast(h), Autocast.cast(model.embedTokens().weight().value()), null);
    }

    /** The MoE feed-forwards, in layer order (the dense layers left out). */
    public List<DeepSeekMoE> moeLayers() {
        return moeLayers;
    }

    /** The auxiliary losses of the last forward, each term summed over the MoE layers (exact zeros without any). */
    public AuxLoss auxLoss() {
        Tensor weight = model.embedTokens().weight().value();
        Tensor zero = Tensor.zeros(weight.dtype()).to(weight.device());
        AuxLoss sum = new AuxLoss(zero, zero, zero);
        for (DeepSeekMoE layer : moeLayers) {
            AuxLoss l = layer.auxLoss();
            sum = new AuxLoss(sum.expertBalance().add(l.expertBalance()), sum.sequenceBalance().add(l.sequenceBalance()),
                    sum.zLoss().add(l.zLoss()));
        }
        return sum;
    }

    /** The routing statistics of the last forward, one per MoE layer in layer order (null entries before any forward). */
    public List<ExpertLoad> lastRouting() {
        List<ExpertLoad> out = new ArrayList<>(moeLayers.size());
        for (DeepSeekMoE layer : moeLayers) {
            out.add(layer.lastRouting());
        }
        return out;
    }

    /**
     * The aux-loss-free bias step of every MoE layer after an optimizer step, from the step's loads,
     * one per MoE layer in layer order (e.g. {@link #lastRouting()} for a step of one forward, or each
     * layer's {@link RoutingStats#total()}); see {@link DeepSeekRouter#updateBias}.
     */
    public void updateBias(List<ExpertLoad> stepLoads) {
        if (stepLoads.size() != moeLayers.size()) {
            throw new IllegalArgumentException("MoeTransformer.updateBias: " + stepLoads.size() + " loads for "
                    + moeLayers.size() + " MoE layers");
        }
        for (int i = 0; i < moeLayers.size(); i++) {
            moeLayers.get(i).updateBias(stepLoads.get(i));
        }
    }

    /**
     * The parameters one token runs through: every parameter ({@link #parameterCount()}: embedding,
     * attention, norms, dense feed-forwards, each MoE layer's gate and shared experts, the head,
     * which is the embedding again when tied and so counted once) but, in each MoE layer, the
     * routed experts a token does not choose: all of them less (n_routed_experts -
     * num_experts_per_tok) experts' gate, up and down projections. Buffers (the selection bias) are
     * not parameters and count in neither.
     */
    public long activeParameterCount() {
        long idle = 0;
        for (DeepSeekMoE layer : moeLayers) {
            idle += (long) (config.nRoutedExperts() - config.numExpertsPerTok()) * layer.expert(0).parameterCount();
        }
        return parameterCount() - idle;
    }

    /** The config the model was built from. */
    public MoeConfig config() {
        return config;
    }

    /** Everything but the output projection ({@code model}). */
    public DecoderStack model() {
        return model;
    }

    /** The module tree, then the total and active parameter counts. */
    @Override
    public String toString() {
        return super.toString() + String.format(Locale.ROOT, "active per token: %,d parameters (%d of %d routed experts"
                + " in each of %d MoE layers)%n", activeParameterCount(), config.numExpertsPerTok(),
                config.nRoutedExperts(), moeLayers.size());
    }

    @Override
    protected String describeSettings() {
        return "layers=" + config.numHiddenLayers() + " (" + moeLayers.size() + " MoE), hidden=" + config.hiddenSize()
                + ", heads=" + config.numAttentionHeads() + ", kvHeads=" + config.numKeyValueHeads() + ", vocab="
                + config.vocabSize() + ", tied=" + config.tieWordEmbeddings();
    }

    /** What MoeConfig leaves to the transformer: the attention heads must split the hidden size evenly. */
    private static void checkHeads(MoeConfig c) {
        List<String> problems = new ArrayList<>();
        if (c.hiddenSize() % c.numAttentionHeads() != 0) {
            problems.add("num_attention_heads (" + c.numAttentionHeads() + ") does not divide hidden_size ("
                    + c.hiddenSize() + ")");
        }
        if (c.numAttentionHeads() % c.numKeyValueHeads() != 0) {
            problems.add("num_key_value_heads (" + c.numKeyValueHeads() + ") does not divide num_attention_heads ("
                    + c.numAttentionHeads() + ")");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("MoeTransformer: " + String.join("; ", problems));
        }
    }
}
