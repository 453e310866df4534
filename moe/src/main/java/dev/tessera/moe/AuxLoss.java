package dev.tessera.moe;

import dev.tessera.tensor.Tensor;

/**
 * A layer's auxiliary losses for its last forward, each already times its config coefficient
 * (an exact 0 when the coefficient is 0), so a trainer adds {@link #total()} to the main loss or
 * picks terms; each is a scalar with a graph back to the router.
 *
 * @param expertBalance the DeepSeekMoE / V2 expert-level loss, {@code aux_loss_alpha}, per sequence
 *     when {@code seq_aux}, else over the batch
 * @param sequenceBalance the V3 complementary sequence-wise loss, {@code seq_balance_alpha}
 * @param zLoss the router z-loss, {@code router_z_loss_coef}
 */
public record AuxLoss(Tensor expertBalance, Tensor sequenceBalance, Tensor zLoss) {

    /** The sum of the three terms. */
    public Tensor total() {
        return expertBalance.add(sequenceBalance).add(zLoss);
    }
}
