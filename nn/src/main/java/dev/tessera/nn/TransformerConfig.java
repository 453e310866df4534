package dev.tessera.nn;

/**
 * The shape of a decoder-only {@link Transformer}, with the meanings of the Hugging Face Llama
 * config keys ({@code vocab_size}, {@code hidden_size}, {@code intermediate_size},
 * {@code num_hidden_layers}, {@code num_attention_heads}, {@code num_key_value_heads},
 * {@code rope_theta}, {@code rms_norm_eps}). Each head has hiddenSize / numAttentionHeads features.
 */
public record TransformerConfig(long vocabSize, long hiddenSize, long intermediateSize, int numHiddenLayers,
        int numAttentionHeads, int numKeyValueHeads, double ropeTheta, double rmsNormEps) {

    /** Refuses a shape no model can have, naming the keys that disagree. */
    public TransformerConfig {
        if (vocabSize <= 0 || hiddenSize <= 0 || intermediateSize <= 0 || numHiddenLayers < 0
                || numAttentionHeads <= 0 || numKeyValueHeads <= 0) {
            throw new IllegalArgumentException("TransformerConfig: sizes must be positive (layers may be 0), got " + this);
        }
        if (hiddenSize % numAttentionHeads != 0 || numAttentionHeads % numKeyValueHeads != 0) {
            throw new IllegalArgumentException("TransformerConfig: num_attention_heads (" + numAttentionHeads
                    + ") must divide hidden_size (" + hiddenSize + ") and num_key_value_heads (" + numKeyValueHeads
                    + ") must divide num_attention_heads");
        }
        if (!(ropeTheta > 0) || !(rmsNormEps >= 0) || Double.isInfinite(ropeTheta) || Double.isInfinite(rmsNormEps)) {
            throw new IllegalArgumentException("TransformerConfig: rope_theta must be positive and rms_norm_eps"
                    + " non-negative, both finite, got " + ropeTheta + " and " + rmsNormEps);
        }
    }

    /** Features per attention head. */
    public int headDim() {
        return (int) (hiddenSize / numAttentionHeads);
    }
}
