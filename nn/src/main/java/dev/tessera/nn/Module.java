package dev.tessera.nn;

import dev.tessera.autograd.Grad;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A node of a model: parameters and child modules, each registered under a name, kept in
 * insertion order. Dotted paths name parameters as PyTorch does ({@code layers.0.attn.q_proj.weight}),
 * so a Hugging Face checkpoint's keys match without renaming. A module starts in training mode.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Module> children = new LinkedHashMap<>();
    private boolean training = true;

    /** Registers {@code child} under {@code name} and returns it. */
    protected final <M extends Module> M register(String name, M child) {
        checkNewName(name);
        if (child == null || child == this) {
            throw new IllegalArgumentException("Module.register: '" + name + "' needs a module other than this one");
        }
        children.put(name, child);
        return child;
    }

    /** Registers a new parameter under {@code name}, holding a leaf made from {@code initial}, and returns it. */
    protected final Parameter parameter(String name, Tensor initial) {
        checkNewName(name);
        Parameter parameter = new Parameter(initial);
        parameters.put(name, parameter);
        return parameter;
    }

    /** The direct children by name, in registration order. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** This module's own parameters by name (not its children's), in registration order. */
    public final Map<String, Parameter> ownParameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** Every parameter by dotted path: own parameters first, then each child's, depth first. */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    /** Every parameter, in the order of {@link #namedParameters()}. */
    public final List<Parameter> parameters() {
        return new ArrayList<>(namedParameters().values());
    }

    /** The number of parameter elements in this module and its descendants. */
    public final long parameterCount() {
        long count = 0;
        for (Parameter p : namedParameters().values()) {
            count += p.numel();
        }
        return count;
    }

    /** Every parameter's value by dotted path, detached (sharing data, no gradient). */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedParameters().forEach((name, p) -> out.put(name, p.value().detach()));
        return out;
    }

    /**
     * Copies the tensors of {@code state} into the parameters of the same dotted name, converted
     * to each parameter's dtype and device. Every key must have the parameter's shape. With
     * {@code strict}, the keys must also be exactly the parameters' names. Nothing is changed
     * unless every check passes; one exception lists every problem.
     */
    public final void loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Parameter> named = namedParameters();
        StateDictCheck.check(named, state, strict);
        try (Grad.Scope off = Grad.off()) {
            named.forEach((name, p) -> {
                Tensor source = state.get(name);
                if (source != null) {
                    Tensor target = p.value();
                    Tensor converted = source.to(target.dtype()).to(target.device());
                    // A conversion already made fresh memory; otherwise copy so the model shares nothing with the map.
                    p.set(converted == source ? source.copy() : converted);
                }
            });
        }
    }

    /** Moves every parameter of this module and its descendants to {@code device} (gradients are dropped); returns this. */
    public final Module to(Device device) {
        for (Parameter p : parameters()) {
            p.moveTo(device);
        }
        return this;
    }

    /**
     * Converts every parameter of this module and its descendants to the floating {@code dtype}
     * (gradients are dropped): F64 for gradient checks, BF16 for inference; returns this.
     */
    public final Module to(DType dtype) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("Module.to: parameters must stay floating, got " + dtype);
        }
        for (Parameter p : parameters()) {
            p.castTo(dtype);
        }
        return this;
    }

    /** Puts this module and its descendants in training mode; returns this. */
    public final Module train() {
        return train(true);
    }

    /** Puts this module and its descendants in training ({@code true}) or evaluation mode; returns this. */
    public final Module train(boolean mode) {
        training = mode;
        for (Module child : children.values()) {
            child.train(mode);
        }
        return this;
    }

    /** Puts this module and its descendants in evaluation mode; returns this. */
    public final Module eval() {
        return train(false);
    }

    /** True in training mode (the default), false after {@link #eval()}. */
    public final boolean isTraining() {
        return training;
    }

    /** Clears the gradient of every parameter. */
    public final void zeroGrad() {
        for (Parameter p : parameters()) {
            p.zeroGrad();
        }
    }

    /** The hyper-parameters shown after the class name in the summary, e.g. {@code in=4, out=2}; empty by default. */
    protected String describeSettings() {
        return "";
    }

    /** A tree of modules with each parameter's shape and the parameter counts per module and in total. */
    @Override
    public String toString() {
        return ModuleSummary.of(this);
    }

    private void collect(String prefix, Map<String, Parameter> out) {
        parameters.forEach((name, p) -> out.put(prefix + name, p));
        children.forEach((name, child) -> child.collect(prefix + name + ".", out));
    }

    private void checkNewName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(getClass().getSimpleName()
                    + ": a parameter or child name must be non-empty and contain no '.', got '" + name + "'");
        }
        if (parameters.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": the name '" + name + "' is already taken");
        }
    }
}
