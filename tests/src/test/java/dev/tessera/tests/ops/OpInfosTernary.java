package dev.tessera.tests.ops;

import static dev.tessera.tests.ops.Domain.INF;
import static dev.tessera.tests.ops.Domain.NAN;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.util.List;
import java.util.Random;

/** where, clamp and masked_fill: selections, so every result must equal the reference exactly. */
final class OpInfosTernary {
    private static final Domain VALUES = Domain.uniform(-10, 10).withSpecials(NAN, INF, -INF);

    private OpInfosTernary() {}

    static List<OpInfo> ternary() {
        return List.of(where(), clamp(), maskedFill());
    }

    private static OpInfo where() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Domain values = Cases.domainFor(dtype, Cases.sometimesSpecial(VALUES, r), Cases.INTEGERS);
            Input cond = Cases.input("cond", r.nextInt(3) == 0 ? Shapes.broadcastPartner(shape, r) : shape,
                    DType.BOOL, Cases.BOOLS, layout, r);
            Input a = Cases.input("a", r.nextInt(3) == 0 ? Shapes.broadcastPartner(shape, r) : shape, dtype, values,
                    Cases.layout(r), r);
            Input b = Cases.input("b", r.nextInt(3) == 0 ? Shapes.broadcastPartner(shape, r) : shape, dtype, values,
                    Cases.layout(r), r);
            return new OpCase(Op.WHERE, "", List.of(cond, a, b),
                    in -> List.of(Tensor.where(in.get(0), in.get(1), in.get(2))));
        };
        return OpInfo.of(Op.WHERE).dtypes(Cases.ALL).maker(maker).tolerance(Tolerance.exact())
                .error("an F32 condition", home -> Tensor.where(Cases.zeros(home, DType.F32, 3),
                        Cases.zeros(home, DType.F32, 3), Cases.zeros(home, DType.F32, 3)), "F32", "[3]")
                .error("branches of two dtypes", home -> Tensor.where(Cases.zeros(home, DType.BOOL, 3),
                        Cases.zeros(home, DType.F32, 3), Cases.zeros(home, DType.I64, 3)), "F32", "I64")
                .error("shapes that do not broadcast", home -> Tensor.where(Cases.zeros(home, DType.BOOL, 2, 3),
                        Cases.zeros(home, DType.F32, 2, 3), Cases.zeros(home, DType.F32, 5)), "[2, 3]", "[5]")
                .error("a condition on another device", home -> Tensor.where(Cases.zeros(Cases.other(home), DType.BOOL, 3),
                        Cases.zeros(home, DType.F32, 3), Cases.zeros(home, DType.F32, 3)), "cpu", "reference")
                .build();
    }

    private static OpInfo clamp() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Domain values = Cases.domainFor(dtype, Cases.sometimesSpecial(VALUES, r), Domain.integers(-20, 20));
            Input x = Cases.input("x", shape, dtype, values, layout, r);
            // Integer tensors get integer bounds: how a fractional bound rounds for them is not specified.
            double a = dtype.isFloating() ? 16 * r.nextDouble() - 8 : r.nextInt(-8, 9);
            double b = dtype.isFloating() ? 16 * r.nextDouble() - 8 : r.nextInt(-8, 9);
            double lo = Math.min(a, b);
            double hi = Math.max(a, b);
            return switch (r.nextInt(3)) {
                case 0 -> new OpCase(Op.CLAMP, "min=" + lo + ", max=" + hi, List.of(x), in -> List.of(in.get(0).clamp(lo, hi)));
                case 1 -> new OpCase(Op.CLAMP, "clampMin " + lo, List.of(x), in -> List.of(in.get(0).clampMin(lo)));
                default -> new OpCase(Op.CLAMP, "clampMax " + hi, List.of(x), in -> List.of(in.get(0).clampMax(hi)));
            };
        };
        return OpInfo.of(Op.CLAMP).dtypes(Cases.NUMERIC).maker(maker).tolerance(Tolerance.exact())
                .error("a BOOL input", home -> Cases.zeros(home, DType.BOOL, 2, 2).clamp(0, 1), "BOOL", "[2, 2]")
                .error("min above max", home -> Cases.zeros(home, DType.F32, 2).clamp(2, 1), "2.0", "1.0")
                .build();
    }

    private static OpInfo maskedFill() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Domain values = Cases.domainFor(dtype, Cases.sometimesSpecial(VALUES, r), Cases.INTEGERS);
            Input x = Cases.input("x", shape, dtype, values, layout, r);
            long[] maskShape = r.nextBoolean() ? Shapes.broadcastPartner(shape, r) : shape;
            Input mask = Cases.input("mask", maskShape, DType.BOOL, Cases.BOOLS, Cases.layout(r), r);
            double[] fills = dtype.isFloating() ? new double[] {-INF, NAN, 0, 2.5, -1e4} : new double[] {0, 1, -7};
            double value = fills[r.nextInt(fills.length)];
            return new OpCase(Op.MASKED_FILL, "value=" + value, List.of(x, mask),
                    in -> List.of(in.get(0).maskedFill(in.get(1), value)));
        };
        return OpInfo.of(Op.MASKED_FILL).dtypes(Cases.ALL).maker(maker).tolerance(Tolerance.exact())
                .error("an F32 mask", home -> Cases.zeros(home, DType.F32, 3).maskedFill(Cases.zeros(home, DType.F32, 3), 1),
                        "F32", "[3]")
                .error("a mask that does not broadcast", home -> Cases.zeros(home, DType.F32, 3)
                        .maskedFill(Cases.zeros(home, DType.BOOL, 4), 1), "[3]", "[4]")
                .error("a mask larger than the tensor", home -> Cases.zeros(home, DType.F32, 3)
                        .maskedFill(Cases.zeros(home, DType.BOOL, 2, 3), 1), "[2, 3]", "[3]")
                .error("a mask on another device", home -> Cases.zeros(home, DType.F32, 3)
                        .maskedFill(Cases.zeros(Cases.other(home), DType.BOOL, 3), 1), "cpu", "reference")
                .build();
    }
}
