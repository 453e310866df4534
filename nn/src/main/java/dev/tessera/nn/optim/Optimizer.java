package dev.tessera.nn.optim;

import dev.tessera.autograd.Grad;
import dev.tessera.nn.Parameter;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Updates parameters from their gradients, group by group. {@link #step()} runs without
 * recording gradients and gives each parameter that has a gradient a new value computed with
 * tensor ops ({@link Parameter#set}); a parameter without a gradient is skipped and its state
 * does not advance, as in PyTorch. The per-parameter state (the step count and the
 * optimizer's buffers) round-trips through {@link #stateDict()} and {@link #loadStateDict}.
 *
 * <p>Gradient accumulation needs no helper: backward adds into each parameter's gradient, so
 * {@code zeroGrad()}, then {@code loss.div(k).backward()} for each of k micro-batches, then
 * {@code step()} takes the step of the mean loss over all k, as PyTorch does.
 */
public abstract sealed class Optimizer permits SGD, AdamW, Lion {
    /** The state-dict slot holding a parameter's update count, as a 0-d I64 tensor. */
    public static final String STEP = "step";

    private final List<ParamGroup> groups;
    private final Map<String, Parameter> byName = new LinkedHashMap<>();
    private Map<String, ParameterState> state = new LinkedHashMap<>();

    Optimizer(List<ParamGroup> groups) {
        if (groups == null || groups.isEmpty()) {
            throw new IllegalArgumentException(name() + ": needs at least one parameter group");
        }
        Map<Parameter, String> seen = new IdentityHashMap<>();
        for (ParamGroup group : groups) {
            checkLr(group.lr());
            checkNonNegative("weight decay", group.weightDecay());
            group.parameters().forEach((paramName, p) -> {
                if (paramName == null || p == null) {
                    throw new IllegalArgumentException(name() + ": a parameter group holds a null name or parameter");
                }
                if (byName.put(paramName, p) != null) {
                    throw new IllegalArgumentException(name() + ": the parameter name '" + paramName
                            + "' appears in more than one place");
                }
                String earlier = seen.put(p, paramName);
                if (earlier != null) {
                    throw new IllegalArgumentException(name() + ": one parameter is listed twice, as '"
                            + earlier + "' and '" + paramName + "'");
                }
            });
        }
        this.groups = new ArrayList<>(groups);
    }

    /** Applies one update to every parameter that has a gradient. */
    public final void step() {
        try (Grad.Scope off = Grad.off()) {
            for (ParamGroup group : groups) {
                group.parameters().forEach((paramName, p) -> {
                    Tensor grad = p.grad();
                    if (grad != null) {
                        ParameterState s = state.computeIfAbsent(paramName, k -> new ParameterState());
                        s.step++;
                        p.set(update(p.value().detach(), grad, s, group));
                    }
                });
            }
        }
    }

    /** Clears the gradient of every parameter this optimizer updates. */
    public final void zeroGrad() {
        byName.values().forEach(Parameter::zeroGrad);
    }

    /** Sets every group's learning rate (a schedule calls this before each step). */
    public final void setLr(double lr) {
        checkLr(lr);
        groups.replaceAll(group -> group.withLr(lr));
    }

    /** Sets the learning rate of group {@code index}. */
    public final void setLr(int index, double lr) {
        checkLr(lr);
        groups.set(index, groups.get(index).withLr(lr));
    }

    /** The groups, with their current learning rates. */
    public final List<ParamGroup> groups() {
        return Collections.unmodifiableList(groups);
    }

    /**
     * The state of every parameter that has been updated, keyed {@code <parameter name>.<slot>}:
     * {@value #STEP} (a 0-d I64 count) and each buffer this optimizer keeps. The tensors are
     * the optimizer's own; steps replace them rather than write into them.
     */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        state.forEach((paramName, s) -> {
            out.put(paramName + "." + STEP, Tensor.scalar(s.step, DType.I64));
            s.buffers.forEach((slot, t) -> out.put(paramName + "." + slot, t));
        });
        return out;
    }

    /**
     * Replaces the whole state with {@code dict} (as written by {@link #stateDict()}), buffers
     * copied to each parameter's dtype and device. A parameter may have every slot or none
     * (not updated yet); a key that names no parameter or slot, a missing slot, a buffer of
     * the wrong shape or a step that is not a positive whole number is refused, all problems
     * in one exception, and then nothing changes.
     */
    public final void loadStateDict(Map<String, Tensor> dict) {
        List<String> slots = new ArrayList<>();
        slots.add(STEP);
        slots.addAll(bufferNames());
        List<String> problems = StateCheck.problems(byName, slots, dict);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(name() + ".loadStateDict: " + String.join("; ", problems));
        }
        Map<String, ParameterState> loaded = new LinkedHashMap<>();
        byName.forEach((paramName, p) -> {
            Tensor step = dict.get(paramName + "." + STEP);
            if (step != null) {
                ParameterState s = new ParameterState();
                s.step = (long) step.item();
                for (String slot : bufferNames()) {
                    s.buffers.put(slot, copyLike(dict.get(paramName + "." + slot), p.value()));
                }
                loaded.put(paramName, s);
            }
        });
        state = loaded;
    }

    /**
     * The optimizer-wide settings it was built with (betas, eps, momentum...), by name, as
     * {@link Double} or {@link Boolean}; the per-group ones (lr, weight decay) are in {@link #groups()}.
     */
    public abstract Map<String, Object> hyperParameters();

    /** The names of the per-parameter buffers this optimizer keeps (besides the step count). */
    abstract List<String> bufferNames();

    /**
     * The parameter's next value. {@code state.step} already counts this update; the method
     * replaces the buffers it advances.
     */
    abstract Tensor update(Tensor value, Tensor grad, ParameterState state, ParamGroup group);

    /** The optimizer's name, for messages. */
    final String name() {
        return getClass().getSimpleName();
    }

    final void checkLr(double lr) {
        checkNonNegative("lr", lr);
    }

    final void checkNonNegative(String what, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(name() + ": " + what + " must be finite and >= 0, got " + value);
        }
    }

    final void checkBeta(String what, double beta) {
        if (!(beta >= 0 && beta < 1)) {
            throw new IllegalArgumentException(name() + ": " + what + " must be in [0, 1), got " + beta);
        }
    }

    private static Tensor copyLike(Tensor source, Tensor like) {
        Tensor converted = source.to(like.dtype()).to(like.device());
        return converted == source ? source.copy() : converted;
    }
}
