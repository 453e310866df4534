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
 * A node of a model: parameters, buffers and child modules, each registered under a name, kept
 * in insertion order. Dotted paths name parameters as PyTorch does ({@code layers.0.attn.q_proj.weight}),
 * so a Hugging Face checkpoint's keys match without renaming. A module starts in training mode.
 */
public abstract class Module {
    private final Map<String, Parameter> parameters = new LinkedHashMap<>();
    private final Map<String, Buffer> buffers = new LinkedHashMap<>();
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

    /** Registers a new buffer under {@code name}, holding {@code initial} (detached), and returns it. */
    protected final Buffer buffer(String name, Tensor initial) {
        checkNewName(name);
        Buffer buffer = new Buffer(initial);
        buffers.put(name, buffer);
        return buffer;
    }

    /** The direct children by name, in registration order. */
    public final Map<String, Module> children() {
        return Collections.unmodifiableMap(children);
    }

    /** This module's own parameters by name (not its children's), in registration order. */
    public final Map<String, Parameter> ownParameters() {
        return Collections.unmodifiableMap(parameters);
    }

    /** This module's own buffers by name (not its children's), in registration order. */
    public final Map<String, Buffer> ownBuffers() {
        return Collections.unmodifiableMap(buffers);
    }

    /** Every parameter by dotted path: own parameters first, then each child's, depth first. */
    public final Map<String, Parameter> namedParameters() {
        Map<String, Parameter> out = new LinkedHashMap<>();
        collect("", out);
        return out;
    }

    /** Every buffer by dotted path, in the order of {@link #namedParameters()}. */
    public final Map<String, Buffer> namedBuffers() {
        Map<String, Buffer> out = new LinkedHashMap<>();
        collectBuffers("", out);
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

    /** Every parameter's value by dotted path, detached (sharing data, no gradient), then every buffer's. */
    public final Map<String, Tensor> stateDict() {
        Map<String, Tensor> out = new LinkedHashMap<>();
        namedParameters().forEach((name, p) -> out.put(name, p.value().detach()));
        namedBuffers().forEach((name, b) -> out.put(name, b.value()));
        return out;
    }

    /**
     * Copies the tensors of {@code state} into the parameters and buffers of the same dotted
     * name, converted to each one's dtype and device. Every key must have the shape of what it
     * fills. With {@code strict}, the keys must also be exactly the names of the parameters and
     * buffers. Nothing is changed unless every check passes; one exception lists every problem.
     */
    public final void loadStateDict(Map<String, Tensor> state, boolean strict) {
        Map<String, Parameter> named = namedParameters();
        Map<String, Buffer> namedBuffers = namedBuffers();
        StateDictCheck.check(stateDict(), state, strict);
        try (Grad.Scope off = Grad.off()) {
            named.forEach((name, p) -> {
                if (state.containsKey(name)) {
                    p.set(converted(state.get(name), p.value()));
                }
            });
            namedBuffers.forEach((name, b) -> {
                if (state.containsKey(name)) {
                    b.set(converted(state.get(name), b.value()));
                }
            });
        }
    }

    /** source in target's dtype and device, in memory the caller's map does not share. */
    private static Tensor converted(Tensor source, Tensor target) {
        Tensor converted = source.to(target.dtype()).to(target.device());
        return converted == source ? source.copy() : converted;
    }

    /** Where this module's parameters live: its first parameter's device (the cpu for a module without any). */
    public final Device device() {
        List<Parameter> all = parameters();
        return all.isEmpty() ? Device.cpu() : all.get(0).value().device();
    }

    /** Moves every parameter and buffer of this module and its descendants to {@code device} (gradients are dropped); returns this. */
    public final Module to(Device device) {
        for (Parameter p : parameters()) {
            p.moveTo(device);
        }
        for (Buffer b : namedBuffers().values()) {
            b.moveTo(device);
        }
        return this;
    }

    /**
     * Converts every parameter and floating buffer of this module and its descendants to the
     * floating {@code dtype} (gradients are dropped): F64 for gradient checks, BF16 for
     * inference; returns this.
     */
    public final Module to(DType dtype) {
        if (!dtype.isFloating()) {
            throw new IllegalArgumentException("Module.to: parameters must stay floating, got " + dtype);
        }
        for (Parameter p : parameters()) {
            p.castTo(dtype);
        }
        for (Buffer b : namedBuffers().values()) {
            b.castTo(dtype);
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

    private void collectBuffers(String prefix, Map<String, Buffer> out) {
        buffers.forEach((name, b) -> out.put(prefix + name, b));
        children.forEach((name, child) -> child.collectBuffers(prefix + name + ".", out));
    }

    private void checkNewName(String name) {
        if (name == null || name.isEmpty() || name.contains(".")) {
            throw new IllegalArgumentException(getClass().getSimpleName()
                    + ": a parameter, buffer or child name must be non-empty and contain no '.', got '" + name + "'");
        }
        if (parameters.containsKey(name) || buffers.containsKey(name) || children.containsKey(name)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": the name '" + name + "' is already taken");
        }
    }
}
