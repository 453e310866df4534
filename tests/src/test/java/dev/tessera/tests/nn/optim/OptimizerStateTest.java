package dev.tessera.tests.nn.optim;

import static dev.tessera.tests.nn.optim.SgdTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.nn.Parameter;
import dev.tessera.nn.optim.AdamW;
import dev.tessera.nn.optim.Lion;
import dev.tessera.nn.optim.LrSchedule;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.ParamGroup;
import dev.tessera.nn.optim.ParamGroups;
import dev.tessera.nn.optim.SGD;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The optimizer state dict: its keys, a bit-identical resume, and refusal of bad dicts. */
class OptimizerStateTest {
    private static final LrSchedule SCHEDULE = LrSchedule.warmupCosine(0.05, 2, 5, 0.005);

    @Test
    void resumeFromSavedStateIsBitIdentical() {
        checkResume(groups -> new SGD(groups, 0.9, true));
        checkResume(groups -> new AdamW(groups));
        checkResume(groups -> new Lion(groups));
    }

    private static void checkResume(Function<List<ParamGroup>, Optimizer> make) {
        ParamGroupsTest.Net straight = new ParamGroupsTest.Net();
        Optimizer straightOptimizer = make.apply(ParamGroups.decayAndNoDecay(straight, 0.05, 0.1));
        train(straight, straightOptimizer, 0, 5);

        ParamGroupsTest.Net first = new ParamGroupsTest.Net();
        Optimizer firstOptimizer = make.apply(ParamGroups.decayAndNoDecay(first, 0.05, 0.1));
        train(first, firstOptimizer, 0, 2);
        Map<String, Tensor> savedModel = first.stateDict();
        Map<String, Tensor> savedOptimizer = firstOptimizer.stateDict();

        ParamGroupsTest.Net resumed = new ParamGroupsTest.Net();
        resumed.loadStateDict(savedModel, true);
        Optimizer resumedOptimizer = make.apply(ParamGroups.decayAndNoDecay(resumed, 0.05, 0.1));
        resumedOptimizer.loadStateDict(savedOptimizer);
        train(resumed, resumedOptimizer, 2, 5);

        String name = straightOptimizer.getClass().getSimpleName();
        straight.namedParameters().forEach((key, p) -> assertArrayEquals(p.value().toDoubleArray(),
                resumed.namedParameters().get(key).value().toDoubleArray(), 0.0, name + " " + key));
        Map<String, Tensor> expectedState = straightOptimizer.stateDict();
        Map<String, Tensor> resumedState = resumedOptimizer.stateDict();
        assertEquals(expectedState.keySet(), resumedState.keySet(), name);
        expectedState.forEach((key, t) -> assertArrayEquals(t.toDoubleArray(), resumedState.get(key).toDoubleArray(), 0.0,
                name + " " + key));
    }

    /** Steps {@code from} to {@code to} (exclusive) on a quartic loss, with the schedule's learning rate. */
    private static void train(ParamGroupsTest.Net net, Optimizer optimizer, int from, int to) {
        for (int step = from; step < to; step++) {
            optimizer.zeroGrad();
            Tensor loss = null;
            for (Parameter p : net.parameters()) {
                Tensor term = p.value().to(DType.F64).square().sub(0.5).square().sum();
                loss = loss == null ? term : loss.add(term);
            }
            loss.backward();
            optimizer.setLr(SCHEDULE.lr(step));
            optimizer.step();
        }
    }

    @Test
    void keysAreParameterNameAndSlot() {
        Parameter w = Fixtures.param(1, 2, 3);
        Parameter unused = Fixtures.param(4);
        Map<String, Parameter> named = new LinkedHashMap<>();
        named.put("layer.w", w);
        named.put("layer.unused", unused);
        AdamW adamw = new AdamW(List.of(new ParamGroup(named, 0.1, 0)));
        assertTrue(adamw.stateDict().isEmpty());
        Fixtures.setGrad(w, 1, 1, 1);
        adamw.step();
        Fixtures.setGrad(w, 1, 1, 1);
        adamw.step();
        adamw.step(); // no gradient now: the count stays
        Map<String, Tensor> state = adamw.stateDict();
        assertEquals(List.of("layer.w.step", "layer.w.exp_avg", "layer.w.exp_avg_sq"), List.copyOf(state.keySet()));
        assertEquals(DType.I64, state.get("layer.w.step").dtype());
        assertEquals(2.0, state.get("layer.w.step").item());
        SGD plain = new SGD(Fixtures.group("p", w, 0.1, 0));
        Fixtures.setGrad(w, 1, 1, 1);
        plain.step();
        assertEquals(List.of("p.step"), List.copyOf(plain.stateDict().keySet()));
    }

    @Test
    void badDictsAreRefusedAndChangeNothing() {
        Parameter w = Fixtures.param(1, 2, 3);
        AdamW adamw = new AdamW(Fixtures.group("w", w, 0.1, 0));
        Fixtures.setGrad(w, 1, -1, 1);
        adamw.step();
        Map<String, Tensor> good = adamw.stateDict();

        Map<String, Tensor> missing = new LinkedHashMap<>(good);
        missing.remove("w.exp_avg_sq");
        assertMessage(() -> adamw.loadStateDict(missing), "AdamW", "missing key 'w.exp_avg_sq'");

        Map<String, Tensor> misShaped = new LinkedHashMap<>(good);
        misShaped.put("w.exp_avg", Tensor.zeros(DType.F64, 2));
        assertMessage(() -> adamw.loadStateDict(misShaped), "AdamW", "'w.exp_avg'", "[2]", "[3]");

        Map<String, Tensor> unexpected = new LinkedHashMap<>(good);
        unexpected.put("v.exp_avg", Tensor.zeros(DType.F64, 3));
        unexpected.put("w.momentum_buffer", Tensor.zeros(DType.F64, 3));
        assertMessage(() -> adamw.loadStateDict(unexpected), "AdamW", "'v.exp_avg'", "'w.momentum_buffer'");

        Map<String, Tensor> badStep = new LinkedHashMap<>(good);
        badStep.put("w.step", Tensor.scalar(0, DType.I64));
        assertMessage(() -> adamw.loadStateDict(badStep), "AdamW", "'w.step'", "positive");

        Map<String, Tensor> after = adamw.stateDict();
        assertEquals(good.keySet(), after.keySet());
        good.forEach((key, t) -> assertArrayEquals(t.toDoubleArray(), after.get(key).toDoubleArray(), 0.0, key));
    }

    @Test
    void loadedBuffersAreCopiedToTheParameterDtype() {
        Parameter w = new Parameter(Tensor.zeros(DType.F32, 2));
        Lion lion = new Lion(Fixtures.group("w", w, 0.1, 0));
        Map<String, Tensor> dict = new LinkedHashMap<>();
        dict.put("w.step", Tensor.scalar(4, DType.I64));
        Tensor buffer = Tensor.of(new double[] {0.5, -0.5}, 2);
        dict.put("w.exp_avg", buffer);
        lion.loadStateDict(dict);
        Tensor loaded = lion.stateDict().get("w.exp_avg");
        assertEquals(DType.F32, loaded.dtype());
        assertArrayEquals(new double[] {0.5, -0.5}, loaded.toDoubleArray(), 0.0);
        assertEquals(4.0, lion.stateDict().get("w.step").item());
    }
}
