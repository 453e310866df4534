package dev.tessera.nn.optim;

import dev.tessera.nn.Module;
import dev.tessera.nn.Parameter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Builds the usual parameter groups of a model. */
public final class ParamGroups {
    private ParamGroups() {}

    /**
     * Splits {@code module}'s named parameters into a group with weight decay {@code weightDecay}
     * and one without: parameters of rank 0 or 1 (biases, norm gains) and any whose name ends in
     * {@code bias} or contains {@code norm} (case-insensitive) get no decay, as they only shift or
     * scale and decaying them hurts. Empty groups are left out; the decay group comes first.
     */
    public static List<ParamGroup> decayAndNoDecay(Module module, double lr, double weightDecay) {
        Map<String, Parameter> decay = new LinkedHashMap<>();
        Map<String, Parameter> noDecay = new LinkedHashMap<>();
        module.namedParameters().forEach((name, p) -> (skipsDecay(name, p) ? noDecay : decay).put(name, p));
        List<ParamGroup> groups = new ArrayList<>();
        if (!decay.isEmpty()) {
            groups.add(new ParamGroup(decay, lr, weightDecay));
        }
        if (!noDecay.isEmpty()) {
            groups.add(new ParamGroup(noDecay, lr, 0.0));
        }
        return groups;
    }

    /** True when the parameter called {@code name} should not be decayed (see {@link #decayAndNoDecay}). */
    public static boolean skipsDecay(String name, Parameter parameter) {
        String lower = name.toLowerCase(Locale.ROOT);
        return parameter.value().rank() <= 1 || lower.endsWith("bias") || lower.contains("norm");
    }
}
