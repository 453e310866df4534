package dev.tessera.tests.autograd.rules;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

/**
 * Gradient cases of the elementwise ops and copies. Domains keep each op smooth around every
 * value: relu and abs at least 0.01 from 0, log / sqrt / rsqrt / reciprocal / divisors at least
 * 0.1 to 0.3 from 0 (where the step would cross no pole yet the third derivative stays small),
 * pow's base positive, maximum / minimum operands on interleaved grids (never within 0.02).
 */
final class ElementwiseGradCases {
    private ElementwiseGradCases() {}

    /** How one elementwise input is drawn: n values for a given draw. */
    private interface Values {
        double[] draw(Draw d, long n);
    }

    static void addTo(Map<Op, GradCaseMaker> makers) {
        Values signed = (d, n) -> d.uniform(n, -3, 3);
        Values awayFromZero = (d, n) -> d.awayFromZero(n, Draw.MARGIN, 3);
        Values positive = (d, n) -> d.positive(n, 0.1, 5);

        unary(makers, Op.NEG, Tensor::neg, signed);
        unary(makers, Op.ABS, Tensor::abs, awayFromZero);
        unary(makers, Op.EXP, Tensor::exp, signed);
        unary(makers, Op.LOG, Tensor::log, positive);
        unary(makers, Op.SQRT, Tensor::sqrt, positive);
        unary(makers, Op.RSQRT, Tensor::rsqrt, positive);
        unary(makers, Op.SIN, Tensor::sin, signed);
        unary(makers, Op.COS, Tensor::cos, signed);
        unary(makers, Op.TANH, Tensor::tanh, signed);
        unary(makers, Op.SIGMOID, Tensor::sigmoid, (d, n) -> d.uniform(n, -6, 6));
        unary(makers, Op.RELU, Tensor::relu, awayFromZero);
        unary(makers, Op.SILU, Tensor::silu, (d, n) -> d.uniform(n, -6, 6));
        unary(makers, Op.GELU_TANH, Tensor::geluTanh, (d, n) -> d.uniform(n, -4, 4));
        unary(makers, Op.GELU_ERF, Tensor::gelu, (d, n) -> d.uniform(n, -4, 4));
        unary(makers, Op.RECIPROCAL, Tensor::reciprocal, (d, n) -> d.awayFromZero(n, 0.2, 5));
        unary(makers, Op.SQUARE, Tensor::square, signed);

        binary(makers, Op.ADD, Tensor::add, signed, signed);
        binary(makers, Op.SUB, Tensor::sub, signed, signed);
        binary(makers, Op.MUL, Tensor::mul, signed, signed);
        binary(makers, Op.DIV, Tensor::div, signed, (d, n) -> d.awayFromZero(n, 0.3, 3));
        binary(makers, Op.POW, Tensor::pow, (d, n) -> d.positive(n, 0.3, 3), (d, n) -> d.uniform(n, -2, 2));
        binary(makers, Op.MAXIMUM, Tensor::maximum, (d, n) -> d.onGrid(n, 0), (d, n) -> d.onGrid(n, 0.05));
        binary(makers, Op.MINIMUM, Tensor::minimum, (d, n) -> d.onGrid(n, 0), (d, n) -> d.onGrid(n, 0.05));

        makers.put(Op.WHERE, ElementwiseGradCases::where);
        makers.put(Op.CLAMP, ElementwiseGradCases::clamp);
        makers.put(Op.MASKED_FILL, ElementwiseGradCases::maskedFill);
        makers.put(Op.CAST, ElementwiseGradCases::cast);
        makers.put(Op.CONTIGUOUS, ElementwiseGradCases::contiguous);
    }

    private static void unary(Map<Op, GradCaseMaker> makers, Op op, UnaryOperator<Tensor> f, Values values) {
        makers.put(op, d -> {
            long[] shape = d.shape(0, 3);
            GradInput x = d.input("x", shape, values.draw(d, GradLayout.numel(shape)));
            return d.done(op, "", List.of(x), (in, device) -> List.of(f.apply(in.get(0))));
        });
    }

    /** Operands of broadcast-compatible shapes (either may be the smaller); one in six cases has a constant operand. */
    private static void binary(Map<Op, GradCaseMaker> makers, Op op, BinaryOperator<Tensor> f, Values left, Values right) {
        makers.put(op, d -> {
            long[] big = d.shape(0, 3);
            long[] small = d.broadcastPartner(big);
            boolean swap = d.coin();
            long[] shapeA = swap ? small : big;
            long[] shapeB = swap ? big : small;
            int constant = d.oneIn(6) ? d.between(0, 1) : -1;
            GradInput a = operand(d, "a", shapeA, left.draw(d, GradLayout.numel(shapeA)), constant != 0);
            GradInput b = operand(d, "b", shapeB, right.draw(d, GradLayout.numel(shapeB)), constant != 1);
            return d.done(op, "", List.of(a, b), (in, device) -> List.of(f.apply(in.get(0), in.get(1))));
        });
    }

    private static GradInput operand(Draw d, String name, long[] shape, double[] values, boolean requiresGrad) {
        return requiresGrad ? d.input(name, shape, values) : d.constant(name, shape, values);
    }

    /** where(mask, a, b) with all three shapes broadcast against each other. */
    private static GradCase where(Draw d) {
        long[] big = d.shape(0, 3);
        long[] maskShape = d.coin() ? big : d.broadcastPartner(big);
        long[] shapeA = d.coin() ? big : d.broadcastPartner(big);
        long[] shapeB = d.broadcastPartner(big);
        boolean[] mask = d.booleans(GradLayout.numel(maskShape));
        GradInput a = d.input("a", shapeA, d.uniform(GradLayout.numel(shapeA), -3, 3));
        GradInput b = d.input("b", shapeB, d.uniform(GradLayout.numel(shapeB), -3, 3));
        return d.done(Op.WHERE, "mask" + Arrays.toString(maskShape) + "=" + Arrays.toString(mask), List.of(a, b),
                (in, device) -> List.of(Tensor.where(Draw.maskTensor(mask, maskShape, device), in.get(0), in.get(1))));
    }

    /** clamp with both bounds, or only one (clampMin, clampMax); no value within 0.01 of a bound. */
    private static GradCase clamp(Draw d) {
        long[] shape = d.shape(0, 3);
        int kind = d.between(0, 2);
        double lo = kind == 2 ? Double.NEGATIVE_INFINITY : d.uniform(1, -2, 0.5)[0];
        double hi = kind == 1 ? Double.POSITIVE_INFINITY : d.uniform(1, 0.6, 2)[0];
        double[] values = d.uniform(GradLayout.numel(shape), -3, 3);
        for (int i = 0; i < values.length; i++) {
            while (Math.abs(values[i] - lo) < Draw.MARGIN || Math.abs(values[i] - hi) < Draw.MARGIN) {
                values[i] = d.uniform(1, -3, 3)[0];
            }
        }
        GradInput x = d.input("x", shape, values);
        return d.done(Op.CLAMP, "lo=" + lo + ", hi=" + hi, List.of(x), (in, device) -> List.of(switch (kind) {
            case 1 -> in.get(0).clampMin(lo);
            case 2 -> in.get(0).clampMax(hi);
            default -> in.get(0).clamp(lo, hi);
        }));
    }

    /** A composite: where(mask, value, x). */
    private static GradCase maskedFill(Draw d) {
        long[] shape = d.shape(0, 3);
        long[] maskShape = d.broadcastPartner(shape);
        boolean[] mask = d.booleans(GradLayout.numel(maskShape));
        double value = d.uniform(1, -3, 3)[0];
        GradInput x = d.input("x", shape, d.uniform(GradLayout.numel(shape), -3, 3));
        return d.done(Op.MASKED_FILL, "mask" + Arrays.toString(maskShape) + "=" + Arrays.toString(mask) + ", value=" + value,
                List.of(x), (in, device) -> List.of(in.get(0).maskedFill(Draw.maskTensor(mask, maskShape, device), value)));
    }

    /**
     * Through the other float dtype to the other host device, and back to the input's dtype: three
     * casts, with the output left on the other device, so that a gradient the rule leaves on the
     * wrong device reaches the leaf there. The values and the step are on F32's grid, so the trip
     * through F32 is exact and central differences see the identity they should. The gradient
     * comes back through F32 too: the weights rounded to F32, within 6e-8 of the exact ones.
     */
    private static GradCase cast(Draw d) {
        long[] shape = d.shape(0, 3);
        GradInput x = d.input("x", shape, d.f32Grid(GradLayout.numel(shape)));
        return d.done(Op.CAST, "through the other dtype to the other device", List.of(x), (in, device) -> {
            Tensor t = in.get(0);
            DType other = t.dtype() == DType.F64 ? DType.F32 : DType.F64;
            Device hop = device == Device.reference() ? Device.cpu() : Device.reference();
            return List.of(t.to(other).to(hop).to(t.dtype()));
        }, GradCase.Step.F32_GRID);
    }

    /** contiguous() of a strided input (so that it copies), or copy() of any input. */
    private static GradCase contiguous(Draw d) {
        long[] shape = d.shape(1, 3);
        boolean copy = d.coin();
        GradLayout layout = copy ? d.layout() : shape.length >= 2 && d.coin() ? GradLayout.TRANSPOSED : GradLayout.SLICED;
        if (!copy) { // dims of size 1 would leave the strided view contiguous after all
            for (int dim = Math.max(0, shape.length - 2); dim < shape.length; dim++) {
                shape[dim] = Math.max(shape[dim], 2);
            }
        }
        GradInput x = new GradInput("x", shape, d.uniform(GradLayout.numel(shape), -3, 3), layout, true);
        return d.done(Op.CONTIGUOUS, copy ? "copy()" : "contiguous()", List.of(x),
                (in, device) -> List.of(copy ? in.get(0).copy() : in.get(0).contiguous()));
    }
}
