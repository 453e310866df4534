package dev.tessera.nn.optim;

import dev.tessera.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent as PyTorch's {@code torch.optim.SGD} with dampening 0:
 * {@code d = g + wd*p}; with momentum, {@code buf = d} on a parameter's first step and
 * {@code buf = momentum*buf + d} after, then {@code d = buf}, or {@code d = d + momentum*buf}
 * with Nesterov; finally {@code p = p - lr*d}.
 */
public final class SGD extends Optimizer {
    static final String MOMENTUM_BUFFER = "momentum_buffer";

    private final double momentum;
    private final boolean nesterov;

    /** Plain SGD, no momentum. */
    public SGD(List<ParamGroup> groups) {
        this(groups, 0.0, false);
    }

    /** SGD with {@code momentum} in [0, 1); Nesterov needs a momentum above 0. */
    public SGD(List<ParamGroup> groups, double momentum, boolean nesterov) {
        super(groups);
        checkBeta("momentum", momentum);
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException(name() + ": Nesterov momentum needs a momentum above 0");
        }
        this.momentum = momentum;
        this.nesterov = nesterov;
    }

    /** {@code momentum} and {@code nesterov}. */
    @Override
    public Map<String, Object> hyperParameters() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("momentum", momentum);
        out.put("nesterov", nesterov);
        return out;
    }

    @Override
    List<String> bufferNames() {
        return momentum == 0 ? List.of() : List.of(MOMENTUM_BUFFER);
    }

    @Override
    Tensor update(Tensor value, Tensor grad, ParameterState state, ParamGroup group) {
        Tensor d = group.weightDecay() == 0 ? grad : grad.add(value.mul(group.weightDecay()));
        if (momentum != 0) {
            Tensor previous = state.buffers.get(MOMENTUM_BUFFER);
            // A copy on the first step, so the buffer never shares memory with the gradient (as PyTorch clones).
            Tensor buffer = previous == null ? d.copy() : previous.mul(momentum).add(d);
            state.buffers.put(MOMENTUM_BUFFER, buffer);
            d = nesterov ? d.add(buffer.mul(momentum)) : buffer;
        }
        return value.sub(d.mul(group.lr()));
    }
}
