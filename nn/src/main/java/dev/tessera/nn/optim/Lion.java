package dev.tessera.nn.optim;

import dev.tessera.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"):
 * <pre>
 * u = sign(beta1*m + (1 - beta1)*g)
 * p = p - lr*(u + wd*p)
 * m = beta2*m + (1 - beta2)*g
 * </pre>
 * with m starting at zero. The update has unit size per element, so Lion wants a learning rate
 * some 3-10x below AdamW's and a weight decay as many times above.
 */
public final class Lion extends Optimizer {
    static final String EXP_AVG = "exp_avg";

    private final double beta1;
    private final double beta2;

    /** Lion with the paper's defaults: betas (0.9, 0.99). */
    public Lion(List<ParamGroup> groups) {
        this(groups, 0.9, 0.99);
    }

    /** Lion with betas in [0, 1). */
    public Lion(List<ParamGroup> groups, double beta1, double beta2) {
        super(groups);
        checkBeta("beta1", beta1);
        checkBeta("beta2", beta2);
        this.beta1 = beta1;
        this.beta2 = beta2;
    }

    /** {@code beta1} and {@code beta2}. */
    @Override
    public Map<String, Object> hyperParameters() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("beta1", beta1);
        out.put("beta2", beta2);
        return out;
    }

    @Override
    List<String> bufferNames() {
        return List.of(EXP_AVG);
    }

    @Override
    Tensor update(Tensor value, Tensor grad, ParameterState state, ParamGroup group) {
        Tensor m = state.buffers.get(EXP_AVG);
        Tensor scaledGrad = grad.mul(1 - beta1);
        Tensor interpolated = m == null ? scaledGrad : m.mul(beta1).add(scaledGrad);
        Tensor direction = sign(interpolated);
        Tensor nextMomentum = grad.mul(1 - beta2);
        state.buffers.put(EXP_AVG, m == null ? nextMomentum : m.mul(beta2).add(nextMomentum));
        Tensor decayed = group.weightDecay() == 0 ? direction : direction.add(value.mul(group.weightDecay()));
        return value.sub(decayed.mul(group.lr()));
    }

    /** -1, 0 or 1 per element, in {@code x}'s dtype. */
    private static Tensor sign(Tensor x) {
        return x.gt(0).to(x.dtype()).sub(x.lt(0).to(x.dtype()));
    }
}
