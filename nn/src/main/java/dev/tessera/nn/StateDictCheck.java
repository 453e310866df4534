package dev.tessera.nn;

import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Validates a state dict against a module's own (its parameters and buffers), reporting every problem at once. */
final class StateDictCheck {
    private StateDictCheck() {}

    static void check(Map<String, Tensor> named, Map<String, Tensor> state, boolean strict) {
        List<String> missing = new ArrayList<>();
        List<String> misShaped = new ArrayList<>();
        for (Map.Entry<String, Tensor> entry : named.entrySet()) {
            Tensor source = state.get(entry.getKey());
            Tensor target = entry.getValue();
            long[] expected = target.shape();
            if (source == null) {
                missing.add(entry.getKey());
            } else if (!Arrays.equals(source.shape(), expected)) {
                misShaped.add(entry.getKey() + " (checkpoint " + Shape.str(source.shape())
                        + ", model " + Shape.str(expected) + ")");
            } else if (source.dtype().isFloating() != target.dtype().isFloating()) {
                misShaped.add(entry.getKey() + " (checkpoint dtype " + source.dtype() + " is "
                        + (source.dtype().isFloating() ? "floating, the model's " + target.dtype() + " is not)" : "not floating)"));
            }
        }
        List<String> unexpected = new ArrayList<>();
        for (String key : state.keySet()) {
            if (!named.containsKey(key)) {
                unexpected.add(key);
            }
        }
        StringBuilder problems = new StringBuilder();
        if (strict && !missing.isEmpty()) {
            problems.append("\n  missing keys: ").append(String.join(", ", missing));
        }
        if (strict && !unexpected.isEmpty()) {
            problems.append("\n  unexpected keys: ").append(String.join(", ", unexpected));
        }
        if (!misShaped.isEmpty()) {
            problems.append("\n  mismatched keys: ").append(String.join(", ", misShaped));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException("loadStateDict" + (strict ? " (strict)" : "") + ":" + problems);
        }
    }
}
