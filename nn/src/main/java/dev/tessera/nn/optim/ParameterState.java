package dev.tessera.nn.optim;

import dev.tessera.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.Map;

/** What an optimizer keeps for one parameter: how many updates it has had, and named buffers of its shape. */
final class ParameterState {
    long step;
    final Map<String, Tensor> buffers = new LinkedHashMap<>();
}
