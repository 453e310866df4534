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

    /** DType.write defines every conversion (round to nearest even, truncate toward zero, NaN to 0), so both backends agree exactly. */
    private static OpInfo cast() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            DType target = Cases.ALL.get(r.nextInt(Cases.ALL.size()));
            // Magnitudes within F16's range; infinities only where the target can hold them
            // (an infinity cast to an integer type is not specified beyond Java's casts).
            Domain floats = Domain.awayFromZero(1e-3, 6e4)
                    .withSpecials(target.isFloating() || target == DType.BOOL ? new double[] {NAN, INF, -INF, 0} : new double[] {NAN, 0});
            Domain values = Cases.domainFor(dtype, Cases.sometimesSpecial(floats, r), Domain.integers(-1_000_000, 1_000_000));
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
