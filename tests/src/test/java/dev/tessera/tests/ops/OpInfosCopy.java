package dev.tessera.tests.ops;

import static dev.tessera.tests.ops.Domain.INF;
import static dev.tessera.tests.ops.Domain.NAN;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Op;
import java.util.List;
import java.util.Random;

/** cast and contiguous: copies whose every element is a defined function of the input, so exact. */
final class OpInfosCopy {
    private OpInfosCopy() {}

    static List<OpInfo> copy() {
        return List.of(cast(), contiguous());
    }

    /** DType.write defines every conversion (round to nearest even, truncate toward zero, NaN to 0, saturate), so both backends agree exactly. */
    private static OpInfo cast() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            DType target = Cases.ALL.get(r.nextInt(Cases.ALL.size()));
            // Ordinary magnitudes within F16's range; the specials reach every conversion rule:
            // NaN to 0, saturation of infinities and of values beyond I32 and I64.
            Domain floats = Domain.awayFromZero(1e-3, 6e4).withSpecials(NAN, INF, -INF, 0, 3e9, -3e9, 1e19);
            // Integers across I32's whole range, and beyond it for I64: float targets round them, I32 wraps an I64.
            Domain integers = dtype == DType.I64 ? Domain.integers(-(1L << 40), 1L << 40) : Domain.integers(Integer.MIN_VALUE, Integer.MAX_VALUE);
            Domain values = Cases.domainFor(dtype, Cases.sometimesSpecial(floats, r), integers);
            Input x = Cases.input("x", shape, dtype, values, layout, r);
            return new OpCase(Op.CAST, "to " + target, List.of(x), in -> List.of(in.get(0).to(target)));
        };
        return OpInfo.of(Op.CAST).dtypes(Cases.ALL).maker(maker).tolerance(Tolerance.exact())
                .acceptsEveryInput("every dtype converts to every dtype")
                .build();
    }

    private static OpInfo contiguous() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Domain values = Cases.domainFor(dtype, Domain.uniform(-10, 10).withSpecials(NAN, INF, -INF), Cases.INTEGERS);
            Input x = Cases.input("x", shape, dtype, values, layout, r);
            return new OpCase(Op.CONTIGUOUS, "", List.of(x), in -> List.of(in.get(0).contiguous()));
        };
        return OpInfo.of(Op.CONTIGUOUS).dtypes(Cases.ALL).maker(maker).tolerance(Tolerance.exact())
                .acceptsEveryInput("every tensor has a contiguous copy")
                .build();
    }
}
