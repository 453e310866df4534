package dev.tessera.tests.ops;

import static dev.tessera.tests.ops.Domain.INF;
import static dev.tessera.tests.ops.Domain.NAN;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.util.List;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.BinaryOperator;

/**
 * Elementwise binary ops and comparisons, with NumPy broadcasting: each operand is the main
 * shape or a shape that broadcasts to it, and a sixth of the cases pass a Java scalar instead.
 */
final class OpInfosBinary {
    private OpInfosBinary() {}

    /** One binary op: its tensor form, its scalar form, the float domains of its operands, and the integer one. */
    private record Form(Op op, BinaryOperator<Tensor> tensor, BiFunction<Tensor, Double, Tensor> scalar,
            Domain left, Domain right, Domain integers) {
        Form(Op op, BinaryOperator<Tensor> tensor, BiFunction<Tensor, Double, Tensor> scalar, Domain left, Domain right) {
            this(op, tensor, scalar, left, right, Cases.INTEGERS);
        }
    }

    static List<OpInfo> binary() {
        Domain plain = Domain.uniform(-100, 100).withSpecials(NAN, INF, -INF);
        Domain ties = Domain.integers(-3, 3).withSpecials(NAN, INF, -INF);
        // +, -, *, / and max/min are single IEEE operations: the float result and the double
        // result rounded to float (or further to BF16/F16) are the same value.
        return List.of(
                numeric(new Form(Op.ADD, Tensor::add, Tensor::add, plain, plain)),
                numeric(new Form(Op.SUB, Tensor::sub, Tensor::sub, plain, plain)),
                numeric(new Form(Op.MUL, Tensor::mul, Tensor::mul, plain, plain)),
                numeric(new Form(Op.MAXIMUM, Tensor::maximum, Tensor::maximum, ties, plain)),
                numeric(new Form(Op.MINIMUM, Tensor::minimum, Tensor::minimum, ties, plain)),
                floating(new Form(Op.DIV, Tensor::div, Tensor::div, plain,
                        Domain.awayFromZero(0.1, 100).withSpecials(NAN, INF, -INF, 0)), Tolerance.exact()),
                // a^b = exp(b ln a): the error of ln a is multiplied by |b ln a| <= 4 * 4.6 here, ~24 ulps.
                floating(new Form(Op.POW, Tensor::pow, Tensor::pow, Domain.positive(0.01, 10), Domain.uniform(-4, 4)),
                        Tolerance.ulps(32, Float.MIN_NORMAL)));
    }

    static List<OpInfo> comparison() {
        // Small integers make equal pairs common; NaN compares unequal to everything.
        Domain ties = Domain.integers(-3, 3).withSpecials(NAN, INF, -INF);
        return List.of(
                compare(new Form(Op.EQ, Tensor::eq, Tensor::eq, ties, ties, ties.withoutSpecials())),
                compare(new Form(Op.NE, Tensor::ne, Tensor::ne, ties, ties, ties.withoutSpecials())),
                compare(new Form(Op.LT, Tensor::lt, Tensor::lt, ties, ties, ties.withoutSpecials())),
                compare(new Form(Op.LE, Tensor::le, Tensor::le, ties, ties, ties.withoutSpecials())),
                compare(new Form(Op.GT, Tensor::gt, Tensor::gt, ties, ties, ties.withoutSpecials())),
                compare(new Form(Op.GE, Tensor::ge, Tensor::ge, ties, ties, ties.withoutSpecials())));
    }

    private static OpInfo numeric(Form form) {
        return withCommonErrors(form, OpInfo.of(form.op()).dtypes(Cases.NUMERIC).tolerance(Tolerance.exact()))
                .error("BOOL operands", home -> form.tensor().apply(Cases.zeros(home, DType.BOOL, 3), Cases.zeros(home, DType.BOOL, 3)),
                        "BOOL", "[3]")
                .build();
    }

    private static OpInfo floating(Form form, Tolerance tolerance) {
        return withCommonErrors(form, OpInfo.of(form.op()).dtypes(Cases.FLOATS).tolerance(tolerance))
                .error("I32 operands", home -> form.tensor().apply(Cases.zeros(home, DType.I32, 2, 2), Cases.zeros(home, DType.I32, 2, 2)),
                        "I32", "[2, 2]")
                .build();
    }

    private static OpInfo compare(Form form) {
        return withCommonErrors(form, OpInfo.of(form.op()).dtypes(Cases.ALL).tolerance(Tolerance.exact())).build();
    }

    /** The maker, and the errors every binary op shares: shapes that do not broadcast, mixed dtypes, mixed devices. */
    private static OpInfo.Builder withCommonErrors(Form form, OpInfo.Builder builder) {
        BinaryOperator<Tensor> call = form.tensor();
        return builder.maker(maker(form))
                .error("shapes that do not broadcast",
                        home -> call.apply(Cases.zeros(home, DType.F32, 2, 3), Cases.zeros(home, DType.F32, 4, 3)),
                        "[2, 3]", "[4, 3]")
                .error("F32 with F64",
                        home -> call.apply(Cases.zeros(home, DType.F32, 5), Cases.zeros(home, DType.F64, 5)), "F32", "F64")
                .error("operands on two devices",
                        home -> call.apply(Cases.zeros(home, DType.F32, 3), Cases.zeros(Cases.other(home), DType.F32, 3)),
                        "cpu", "reference");
    }

    private static CaseMaker maker(Form form) {
        return (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Domain left = Cases.domainFor(dtype, Cases.sometimesSpecial(form.left(), r), form.integers());
            Domain right = Cases.domainFor(dtype, Cases.sometimesSpecial(form.right(), r), form.integers());
            long[] aShape = r.nextInt(3) == 0 ? Shapes.broadcastPartner(shape, r) : shape;
            Input a = Cases.input("a", aShape, dtype, left, layout, r);
            if (r.nextInt(6) == 0) {
                double b = right.draw(r);
                return new OpCase(form.op(), "b=" + b + " (a Java scalar)", List.of(a),
                        in -> List.of(form.scalar().apply(in.get(0), b)));
            }
            long[] bShape = r.nextInt(3) == 0 ? Shapes.broadcastPartner(shape, r) : shape;
            Input bInput = Cases.input("b", bShape, dtype, right, Cases.layout(r), r);
            return new OpCase(form.op(), "", List.of(a, bInput), in -> List.of(form.tensor().apply(in.get(0), in.get(1))));
        };
    }
}
