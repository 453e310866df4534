package dev.tessera.nn.optim;

import dev.tessera.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter), step for step as PyTorch's
 * {@code torch.optim.AdamW} without amsgrad. At step t:
 * <pre>
 * p = p * (1 - lr*wd)
 * m = beta1*m + (1 - beta1)*g
 * v = beta2*v + (1 - beta2)*g*g
 * p = p - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 * </pre>
 */
public final class AdamW extends Optimizer {
    static final String EXP_AVG = "exp_avg";
    static final String EXP_AVG_SQ = "exp_avg_sq";

    private final double beta1;
    private final double beta2;
    private final double eps;

    /** AdamW with PyTorch's defaults: betas (0.9, 0.999), eps 1e-8. */
    public AdamW(List<ParamGroup> groups) {
        this(groups, 0.9, 0.999, 1e-8);
    }

    /** AdamW with betas in [0, 1) and {@code eps} finite and >= 0. */
    public AdamW(List<ParamGroup> groups, double beta1, double beta2, double eps) {
        super(groups);
        checkBeta("beta1", beta1);
        checkBeta("beta2", beta2);
        checkNonNegative("eps", eps);
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
    }

    /** {@code beta1}, {@code beta2} and {@code eps}. */
    @Override
    public Map<String, Object> hyperParameters() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("beta1", beta1);
        out.put("beta2", beta2);
        out.put("eps", eps);
        return out;
    }

    @Override
    List<String> bufferNames() {
        return List.of(EXP_AVG, EXP_AVG_SQ);
    }

    @Override
    Tensor update(Tensor value, Tensor grad, ParameterState state, ParamGroup group) {
        double lr = group.lr();
        Tensor decayed = value.mul(1 - lr * group.weightDecay());
        Tensor m = state.buffers.get(EXP_AVG);
        Tensor v = state.buffers.get(EXP_AVG_SQ);
        // Zero state on a first step gives exactly (1 - beta)*g, so it needs no zero tensors.
        Tensor scaledGrad = grad.mul(1 - beta1);
        m = m == null ? scaledGrad : m.mul(beta1).add(scaledGrad);
        Tensor scaledSquare = grad.mul(grad).mul(1 - beta2);
        v = v == null ? scaledSquare : v.mul(beta2).add(scaledSquare);
        state.buffers.put(EXP_AVG, m);
        state.buffers.put(EXP_AVG_SQ, v);
        double biasCorrection1 = 1 - Math.pow(beta1, state.step);
        double biasCorrection2 = 1 - Math.pow(beta2, state.step);
        double stepSize = lr / biasCorrection1;
        Tensor denominator = v.sqrt().div(Math.sqrt(biasCorrection2)).add(eps);
        return decayed.sub(m.div(denominator).mul(stepSize));
    }
}
