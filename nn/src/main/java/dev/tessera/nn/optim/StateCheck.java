package dev.tessera.nn.optim;

import dev.tessera.nn.Parameter;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Lists what is wrong with an optimizer state dict before anything is loaded. */
final class StateCheck {
    private StateCheck() {}

    static List<String> problems(Map<String, Parameter> params, List<String> slots, Map<String, Tensor> dict) {
        List<String> problems = new ArrayList<>();
        for (String key : dict.keySet()) {
            int dot = key.lastIndexOf('.');
            if (dot < 0 || !params.containsKey(key.substring(0, dot)) || !slots.contains(key.substring(dot + 1))) {
                problems.add("unexpected key '" + key + "'");
            }
        }
        params.forEach((name, p) -> {
            List<String> missing = new ArrayList<>();
            boolean any = false;
            for (String slot : slots) {
                Tensor t = dict.get(name + "." + slot);
                if (t == null) {
                    missing.add(name + "." + slot);
                    continue;
                }
                any = true;
                if (slot.equals(Optimizer.STEP)) {
                    checkStep(name + "." + slot, t, problems);
                } else if (!Arrays.equals(t.shape(), p.value().shape())) {
                    problems.add("'" + name + "." + slot + "' has shape " + Shape.str(t.shape())
                            + " but the parameter has shape " + Shape.str(p.value().shape()));
                }
            }
            if (any) {
                missing.forEach(key -> problems.add("missing key '" + key + "'"));
            }
        });
        return problems;
    }

    private static void checkStep(String key, Tensor t, List<String> problems) {
        if (t.rank() != 0) {
            problems.add("'" + key + "' must be a 0-d tensor, got shape " + Shape.str(t.shape()));
            return;
        }
        double step = t.item();
        if (!(step >= 1) || step != Math.rint(step)) {
            problems.add("'" + key + "' must be a positive whole number, got " + step);
        }
    }
}
