package dev.tessera.tests.nn.optim;

import static dev.tessera.tests.nn.optim.SgdTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.nn.Linear;
import dev.tessera.nn.Module;
import dev.tessera.nn.Parameter;
import dev.tessera.nn.optim.AdamW;
import dev.tessera.nn.optim.Lion;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.ParamGroup;
import dev.tessera.nn.optim.ParamGroups;
import dev.tessera.nn.optim.SGD;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The decay / no-decay split, and that weight decay reaches only the group that asks for it. */
class ParamGroupsTest {
    /** A linear layer, a norm's gain, and 2-D matrices whose names say norm and bias. */
    static final class Net extends Module {
        Net() {
            register("proj", new Linear(3, 2, true, new Generator(7)));
            parameter("gain", Tensor.ones(DType.F64, 2));
            parameter("norm_mix", Tensor.ones(DType.F64, 2, 2));
            parameter("rel_bias", Tensor.full(0.25, DType.F64, 2, 2));
        }
    }

    @Test
    void splitsByRankAndName() {
        List<ParamGroup> groups = ParamGroups.decayAndNoDecay(new Net(), 0.1, 0.01);
        assertEquals(2, groups.size());
        assertEquals(List.of("proj.weight"), List.copyOf(groups.get(0).parameters().keySet()));
        assertEquals(0.01, groups.get(0).weightDecay());
        assertEquals(List.of("gain", "norm_mix", "proj.bias", "rel_bias"), groups.get(1).parameters().keySet().stream().sorted().toList());
        assertEquals(0.0, groups.get(1).weightDecay());
        assertEquals(0.1, groups.get(1).lr());
    }

    @Test
    void noDecayGroupIsUntouchedByDecay() {
        checkDecayOnlyWhereAsked(groups -> new SGD(groups));
        checkDecayOnlyWhereAsked(groups -> new AdamW(groups));
        checkDecayOnlyWhereAsked(groups -> new Lion(groups));
    }

    /** With zero gradients the only movement is decay: the decay group shrinks by (1 - lr*wd), the other stays. */
    private static void checkDecayOnlyWhereAsked(Function<List<ParamGroup>, Optimizer> make) {
        Net net = new Net();
        Map<String, Parameter> named = net.namedParameters();
        Map<String, double[]> before = new java.util.HashMap<>();
        named.forEach((name, p) -> {
            before.put(name, p.value().toDoubleArray());
            p.value().setGrad(Tensor.zeros(p.value().dtype(), p.value().shape()));
        });
        double lr = 0.1;
        double wd = 0.5;
        Optimizer optimizer = make.apply(ParamGroups.decayAndNoDecay(net, lr, wd));
        optimizer.step();
        named.forEach((name, p) -> {
            double[] expected = before.get(name).clone();
            if (name.equals("proj.weight")) {
                for (int i = 0; i < expected.length; i++) {
                    expected[i] *= 1 - lr * wd;
                }
            }
            assertArrayEquals(expected, p.value().toDoubleArray(), 1e-7, optimizer.getClass().getSimpleName() + " " + name);
        });
    }

    @Test
    void setLrReachesEveryGroup() {
        Optimizer optimizer = new AdamW(ParamGroups.decayAndNoDecay(new Net(), 0.1, 0.01));
        optimizer.setLr(0.25);
        optimizer.groups().forEach(group -> assertEquals(0.25, group.lr()));
        optimizer.setLr(1, 0.5);
        assertEquals(0.25, optimizer.groups().get(0).lr());
        assertEquals(0.5, optimizer.groups().get(1).lr());
    }

    @Test
    void aParameterInTwoGroupsIsRefused() {
        Parameter p = Fixtures.param(1, 2);
        List<ParamGroup> twice = List.of(new ParamGroup(Map.of("a", p), 0.1, 0), new ParamGroup(Map.of("b", p), 0.1, 0));
        assertMessage(() -> new SGD(twice), "SGD", "'a'", "'b'");
        Parameter q = Fixtures.param(1, 2);
        List<ParamGroup> sameName = List.of(new ParamGroup(Map.of("a", p), 0.1, 0), new ParamGroup(Map.of("a", q), 0.1, 0));
        assertMessage(() -> new AdamW(sameName), "AdamW", "'a'");
    }
}
