package dev.tessera.tests.nn.optim;

import dev.tessera.nn.Parameter;
import dev.tessera.nn.optim.ParamGroup;
import dev.tessera.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Small F64 parameters with chosen gradients, for the optimizer tests. */
final class Fixtures {
    private Fixtures() {}

    static Parameter param(double... values) {
        return new Parameter(Tensor.of(values.clone(), values.length));
    }

    static void setGrad(Parameter p, double... grad) {
        p.value().setGrad(Tensor.of(grad.clone(), grad.length));
    }

    static double[] values(Parameter p) {
        return p.value().toDoubleArray();
    }

    static List<ParamGroup> group(String name, Parameter p, double lr, double weightDecay) {
        Map<String, Parameter> named = new LinkedHashMap<>();
        named.put(name, p);
        return List.of(new ParamGroup(named, lr, weightDecay));
    }

    /** Gradients used for three steps of the hand-computed tests: signs and sizes vary. */
    static final double[][] GRADS = {{0.5, -1.0, 0.0}, {-0.25, 2.0, 0.125}, {1.5, 0.5, -0.75}};
    static final double[] START = {1.0, -2.0, 0.5};
}
