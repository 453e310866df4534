package dev.tessera.tests.autograd.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.autograd.Derivatives;
import dev.tessera.autograd.Node;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Gradient coverage cannot drop silently: every catalog op is differentiated, a composite or
 * declared without a gradient; every op with a gradient has a gradient-check case that really
 * runs it; and the graphs those cases build hold only ops that have a rule.
 */
class RuleCoverageTest {
    /** Cases drawn per op to see that its maker exercises it. */
    private static final int SAMPLES = 10;

    /** A call of each op without a gradient on an input that requires grad. */
    private static final Map<Op, UnaryOperator<Tensor>> NO_GRADIENT_CALLS = noGradientCalls();

    @Test
    void everyOpIsInExactlyOneSet() {
        for (Op op : Op.values()) {
            int sets = (Derivatives.differentiated().contains(op) ? 1 : 0) + (Derivatives.composites().contains(op) ? 1 : 0)
                    + (Derivatives.nonDifferentiable().contains(op) ? 1 : 0)
                    + (Derivatives.gradientKernels().contains(op) ? 1 : 0);
            assertEquals(1, sets, op.opName()
                    + " must be exactly one of differentiated, composite, non-differentiable, gradient kernel");
        }
    }

    @Test
    void everyOpWithAGradientHasAGradientCase() {
        Set<Op> needed = EnumSet.copyOf(Derivatives.differentiated());
        needed.addAll(Derivatives.composites());
        Set<Op> missing = EnumSet.copyOf(needed);
        missing.removeAll(GradCases.all().keySet());
        assertEquals(Set.of(), missing, "differentiable ops without a gradient-check case in GradCases");
        Set<Op> extra = EnumSet.copyOf(GradCases.all().keySet());
        extra.removeAll(needed);
        assertEquals(Set.of(), extra, "gradient-check cases for ops that have no gradient");
    }

    @Test
    void onlyRecordedOpsHaveRules() {
        for (Op op : Op.values()) {
            if (Derivatives.differentiated().contains(op)) {
                assertNotNull(Derivatives.rule(op), op.opName());
            } else {
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> Derivatives.rule(op));
                assertTrue(e.getMessage().contains(op.opName()), "the message names the op: " + e.getMessage());
            }
        }
    }

    /** A recorded op's case records it; a composite's case records only its parts; every node has a rule. */
    @TestFactory
    Stream<DynamicTest> everyCaseRunsItsOp() {
        return GradCases.all().keySet().stream().map(op -> DynamicTest.dynamicTest(op.opName(), () -> {
            for (long seed = 0; seed < SAMPLES; seed++) {
                GradCase c = GradCases.make(op, seed);
                assertEquals(op, c.op(), "the maker of " + op + " made " + c);
                List<Tensor> leaves = c.inputs().stream().map(input -> input.build(DType.F64, Device.reference())).toList();
                Set<Op> recorded = recordedOps(c.call().apply(leaves, Device.reference()));
                if (Derivatives.differentiated().contains(op)) {
                    assertTrue(recorded.contains(op), c + " records no " + op.opName() + " node: " + recorded);
                }
                Set<Op> withoutRule = EnumSet.copyOf(recorded);
                withoutRule.removeAll(Derivatives.differentiated());
                assertEquals(Set.of(), withoutRule, c + " records ops that have no rule");
            }
        }));
    }

    @Test
    void everyOpWithoutAGradientHasACallHere() {
        assertEquals(Derivatives.nonDifferentiable(), NO_GRADIENT_CALLS.keySet());
    }

    /** Their outputs are BOOL or integers: no node, no gradient, whatever their inputs require. */
    @TestFactory
    Stream<DynamicTest> opsWithoutAGradientRecordNothing() {
        return NO_GRADIENT_CALLS.entrySet().stream().map(entry -> DynamicTest.dynamicTest(entry.getKey().opName(), () -> {
            Tensor x = Tensor.randn(new Generator(3), 3, 4).requiresGrad(true);
            Tensor out = entry.getValue().apply(x);
            assertTrue(!out.dtype().isFloating(), entry.getKey() + " gives " + out.dtype());
            assertNull(out.gradNode(), entry.getKey() + " recorded a node");
            assertTrue(!out.requiresGrad(), entry.getKey() + "'s output requires grad");
        }));
    }

    private static Map<Op, UnaryOperator<Tensor>> noGradientCalls() {
        Map<Op, UnaryOperator<Tensor>> calls = new EnumMap<>(Op.class);
        calls.put(Op.EQ, x -> x.eq(x.exp()));
        calls.put(Op.NE, x -> x.ne(0));
        calls.put(Op.LT, x -> x.lt(x.square()));
        calls.put(Op.LE, x -> x.le(0.5));
        calls.put(Op.GT, x -> x.gt(x.neg()));
        calls.put(Op.GE, x -> x.ge(0));
        calls.put(Op.ARGMAX, x -> x.argmax(1, false));
        calls.put(Op.ARGMIN, x -> x.argmin());
        calls.put(Op.ARGSORT, x -> x.argsort(0, true));
        calls.put(Op.ONE_HOT, x -> x.argmax(1, false).oneHot(4));
        calls.put(Op.MOE_PLAN, x -> Fused.moePlan(x.argsort(1, true).narrow(1, 0, 2), 4, 2).position());
        return Collections.unmodifiableMap(calls);
    }

    /** The ops of every node the outputs were computed through. */
    private static Set<Op> recordedOps(List<Tensor> outputs) {
        Set<Op> ops = EnumSet.noneOf(Op.class);
        Set<Node> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        ArrayDeque<Node> pending = new ArrayDeque<>();
        for (Tensor out : outputs) {
            if (out.gradNode() instanceof Node node && seen.add(node)) {
                pending.push(node);
            }
        }
        while (!pending.isEmpty()) {
            Node node = pending.pop();
            ops.add(node.op());
            for (int i = 0; i < node.inputCount(); i++) {
                if (node.input(i).gradNode() instanceof Node input && seen.add(input)) {
                    pending.push(input);
                }
            }
        }
        return ops;
    }
}
