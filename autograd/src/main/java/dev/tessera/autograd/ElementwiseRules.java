package dev.tessera.autograd;

import static dev.tessera.autograd.InputGradient.perInput;
import static dev.tessera.autograd.RuleTensors.dropWhere;
import static dev.tessera.autograd.RuleTensors.keepWhere;
import static dev.tessera.autograd.RuleTensors.oneMinus;
import static dev.tessera.autograd.RuleTensors.scalarLike;

import dev.tessera.tensor.Op;
import dev.tessera.tensor.OpArgs;
import dev.tessera.tensor.Tensor;
import java.util.Map;

/**
 * Derivatives of the elementwise ops and of the copies. In the formulas x is input 0 and y the
 * output; binary operands a and b arrive expanded to the output's shape, so every formula is
 * elementwise and EXPAND's rule sums the broadcast dims back. At points where an op has no
 * derivative the rules follow PyTorch, so that gradients match it everywhere.
 */
final class ElementwiseRules {
    /** sqrt(2 / pi) and the cubic coefficient in the tanh approximation of GELU. */
    private static final double GELU_K = Math.sqrt(2 / Math.PI);
    private static final double GELU_C = 0.044715;
    /** The standard normal density at 0: 1 / sqrt(2 pi). */
    private static final double NORMAL_PEAK = 1 / Math.sqrt(2 * Math.PI);

    private ElementwiseRules() {}

    static void addTo(Map<Op, Rule> table) {
        // Unary: from x, or from y where that saves work (exp, sqrt, rsqrt, tanh, sigmoid, reciprocal).
        table.put(Op.NEG, perInput((n, g) -> g.neg()));
        table.put(Op.ABS, perInput((n, g) -> g.mul(sign(x(n))))); // sign(0) = 0: no gradient at the kink
        table.put(Op.EXP, perInput((n, g) -> g.mul(y(n))));
        table.put(Op.LOG, perInput((n, g) -> g.div(x(n))));
        table.put(Op.SQRT, perInput((n, g) -> g.div(y(n).mul(2))));
        table.put(Op.RSQRT, perInput((n, g) -> g.mul(y(n).square().mul(y(n))).mul(-0.5)));
        table.put(Op.SIN, perInput((n, g) -> g.mul(x(n).cos())));
        table.put(Op.COS, perInput((n, g) -> g.mul(x(n).sin()).neg()));
        table.put(Op.TANH, perInput((n, g) -> g.mul(oneMinus(y(n).square()))));
        table.put(Op.SIGMOID, perInput((n, g) -> g.mul(y(n).mul(oneMinus(y(n))))));
        table.put(Op.RELU, perInput((n, g) -> keepWhere(x(n).gt(0), g))); // 0 at x = 0
        table.put(Op.SILU, perInput((n, g) -> g.mul(siluSlope(x(n)))));
        table.put(Op.GELU_TANH, perInput((n, g) -> g.mul(geluTanhSlope(x(n)))));
        table.put(Op.GELU_ERF, perInput((n, g) -> g.mul(geluErfSlope(x(n), y(n)))));
        table.put(Op.RECIPROCAL, perInput((n, g) -> g.mul(y(n).square()).neg()));
        table.put(Op.SQUARE, perInput((n, g) -> g.mul(x(n).mul(2))));

        // Binary.
        table.put(Op.ADD, perInput((n, g) -> g, (n, g) -> g));
        table.put(Op.SUB, perInput((n, g) -> g, (n, g) -> g.neg()));
        table.put(Op.MUL, perInput((n, g) -> g.mul(b(n)), (n, g) -> g.mul(a(n))));
        table.put(Op.DIV, perInput((n, g) -> g.div(b(n)), (n, g) -> g.mul(a(n)).div(b(n).square()).neg()));
        table.put(Op.POW, perInput(ElementwiseRules::powBase, ElementwiseRules::powExponent));
        table.put(Op.MAXIMUM, perInput(
                (n, g) -> winnerShare(g, a(n).lt(b(n)), a(n).eq(b(n))),
                (n, g) -> winnerShare(g, b(n).lt(a(n)), a(n).eq(b(n)))));
        table.put(Op.MINIMUM, perInput(
                (n, g) -> winnerShare(g, a(n).gt(b(n)), a(n).eq(b(n))),
                (n, g) -> winnerShare(g, b(n).gt(a(n)), a(n).eq(b(n)))));

        // where(mask, ifTrue, ifFalse): the BOOL mask gets none.
        table.put(Op.WHERE, perInput(null,
                (n, g) -> keepWhere(n.input(0), g),
                (n, g) -> dropWhere(n.input(0), g)));
        // The gradient passes where lo <= x <= hi, bounds included, as PyTorch's clamp.
        table.put(Op.CLAMP, perInput((n, g) -> {
            OpArgs.Clamp bounds = (OpArgs.Clamp) n.args();
            return keepWhere(x(n).ge(bounds.lo()), keepWhere(x(n).le(bounds.hi()), g));
        }));

        // Copies: a cast (of dtype or of device) hands the gradient back converted.
        table.put(Op.CAST, perInput((n, g) -> g.to(x(n).dtype()).to(x(n).device())));
        table.put(Op.CONTIGUOUS, perInput((n, g) -> g));
    }

    private static Tensor x(Node n) {
        return n.input(0);
    }

    private static Tensor y(Node n) {
        return n.output(0);
    }

    private static Tensor a(Node n) {
        return n.input(0);
    }

    private static Tensor b(Node n) {
        return n.input(1);
    }

    /** -1, 0 or 1 in x's dtype. */
    private static Tensor sign(Tensor x) {
        return x.gt(0).to(x.dtype()).sub(x.lt(0).to(x.dtype()));
    }

    /** d/dx x s(x) = s (1 + x (1 - s)), s the sigmoid. */
    private static Tensor siluSlope(Tensor x) {
        Tensor s = x.sigmoid();
        return s.mul(x.mul(oneMinus(s)).add(1));
    }

    /** d/dx 0.5 x (1 + t), t = tanh(u), u = k (x + c x^3): 0.5 (1 + t) + 0.5 x (1 - t^2) k (1 + 3 c x^2). */
    private static Tensor geluTanhSlope(Tensor x) {
        Tensor x2 = x.square();
        Tensor t = x.mul(x2.mul(GELU_C).add(1)).mul(GELU_K).tanh();
        Tensor du = x2.mul(3 * GELU_C).add(1).mul(GELU_K);
        return t.add(1).mul(0.5).add(x.mul(0.5).mul(oneMinus(t.square())).mul(du));
    }

    /**
     * d/dx x Phi(x) = Phi(x) + x phi(x), Phi the normal cdf and phi its density. There is no erf
     * op, so Phi comes from the forward output as y / x (1/2 at x = 0): the backend's own erf, and
     * y / x keeps y's relative accuracy, since x is exact.
     */
    private static Tensor geluErfSlope(Tensor x, Tensor y) {
        Tensor cdf = Tensor.where(x.eq(0), scalarLike(x, 0.5), y.div(x));
        Tensor density = x.square().mul(-0.5).exp().mul(NORMAL_PEAK);
        return cdf.add(x.mul(density));
    }

    /** d/da a^b = b a^(b-1), and 0 wherever b = 0 (so 0^0 gives 0, not 0 * inf), as PyTorch. */
    private static Tensor powBase(Node n, Tensor g) {
        Tensor slope = b(n).mul(a(n).pow(b(n).sub(1)));
        return dropWhere(b(n).eq(0), g.mul(slope));
    }

    /** d/db a^b = a^b log a, and 0 where a = 0 and b >= 0 (the limit from the right), as PyTorch. */
    private static Tensor powExponent(Node n, Tensor g) {
        Tensor slope = y(n).mul(a(n).log());
        Tensor atZeroBase = dropWhere(b(n).ge(0), slope);
        return g.mul(Tensor.where(a(n).eq(0), atZeroBase, slope));
    }

    /** maximum / minimum: all of the gradient to the operand that won, half to each on a tie (PyTorch's convention). */
    private static Tensor winnerShare(Tensor g, Tensor lost, Tensor tie) {
        return dropWhere(lost, Tensor.where(tie, g.mul(0.5), g));
    }
}
