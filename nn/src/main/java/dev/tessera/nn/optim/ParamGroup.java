package dev.tessera.nn.optim;

import dev.tessera.nn.Parameter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parameters that share a learning rate and a weight decay, by name. The names key the
 * optimizer's state dict, so they must be unique across an optimizer's groups. The optimizer
 * checks the values (and names itself in the message); the group only holds them.
 */
public record ParamGroup(Map<String, Parameter> parameters, double lr, double weightDecay) {
    /** Keeps an unmodifiable copy of {@code parameters} in their iteration order. */
    public ParamGroup {
        if (parameters == null) {
            throw new IllegalArgumentException("ParamGroup: parameters must not be null");
        }
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** This group with another learning rate. */
    public ParamGroup withLr(double newLr) {
        return new ParamGroup(parameters, newLr, weightDecay);
    }
}
