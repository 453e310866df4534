package dev.tessera.tests.ops;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Op;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;

/**
 * matmul with NumPy's rules. The main shape is a's: 1-D (a vector), 2-D, or batched 3-D / 4-D;
 * b is a vector, a matrix, or a batch whose dims broadcast against a's. Either may be a
 * transposed, sliced or broadcast view.
 */
final class OpInfosMatmul {
    private static final long[] SIZES = {1, 2, 3, 7, 15, 16, 17, 33, 65};

    private OpInfosMatmul() {}

    static List<OpInfo> matmul() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            long k = shape[shape.length - 1];
            long n = shape.length >= 2 && shape[shape.length - 2] > 96 ? 97 + r.nextInt(54) : SIZES[r.nextInt(SIZES.length)];
            long[] bShape = rightOperand(shape, k, n, r);
            Domain values = Cases.sometimesIntegral(Domain.uniform(-1, 1), r);
            Input a = Cases.input("a", shape, dtype, values, layout, r);
            Input b = Cases.input("b", bShape, dtype, values, Cases.layout(r), r);
            return new OpCase(Op.MATMUL, "", List.of(a, b), k, in -> List.of(in.get(0).matmul(in.get(1))));
        };
        return List.of(OpInfo.of(Op.MATMUL).dtypes(Cases.FLOATS).minRank(1).shapes(leftShapes()).maker(maker)
                // A dot product of k terms: within k eps (|a| @ |b|) of the exact value; exact for small integers.
                .tolerance(Tolerance.sumOfTerms(Tolerance.Summation.AT_LEAST_F32))
                .error("inner sizes that differ", home -> Cases.zeros(home, DType.F32, 2, 3).matmul(Cases.zeros(home, DType.F32, 4, 5)),
                        "[2, 3]", "[4, 5]")
                .error("a 0-d operand", home -> Cases.zeros(home, DType.F32).matmul(Cases.zeros(home, DType.F32, 3)), "[]", "[3]")
                .error("I32 operands", home -> Cases.zeros(home, DType.I32, 2, 2).matmul(Cases.zeros(home, DType.I32, 2, 2)),
                        "I32", "[2, 2]")
                .error("F32 with F64", home -> Cases.zeros(home, DType.F32, 2, 2).matmul(Cases.zeros(home, DType.F64, 2, 2)),
                        "F32", "F64")
                .error("batches that do not broadcast", home -> Cases.zeros(home, DType.F32, 2, 3, 4)
                        .matmul(Cases.zeros(home, DType.F32, 5, 4, 2)), "[2]", "[5]")
                .error("operands on two devices", home -> Cases.zeros(home, DType.F32, 2, 2)
                        .matmul(Cases.zeros(Cases.other(home), DType.F32, 2, 2)), "cpu", "reference")
                .build());
    }

    /** a's shape: mostly small (k, m from the lane-count neighbours, 0 sometimes), a tenth up to 150 x 150. */
    private static Arbitrary<long[]> leftShapes() {
        Arbitrary<Long> size = Arbitraries.frequencyOf(
                Tuple.of(1, Arbitraries.just(0L)),
                Tuple.of(30, Arbitraries.of(Arrays.stream(SIZES).boxed().toList())));
        Arbitrary<long[]> small = size.list().ofMinSize(1).ofMaxSize(4).map(Shapes::toArray)
                .filter(s -> Shapes.numel(s) <= Shapes.SMALL_NUMEL);
        Arbitrary<long[]> big = Arbitraries.longs().between(97, 150).list().ofSize(2).map(Shapes::toArray);
        return Arbitraries.frequencyOf(Tuple.of(9, small), Tuple.of(1, big));
    }

    /** b for an a of {@code left} (inner size k): a vector, a matrix, or batch dims that broadcast with a's. */
    private static long[] rightOperand(long[] left, long k, long n, Random r) {
        if (r.nextInt(5) == 0) {
            return new long[] {k};
        }
        long[] batch = left.length > 2 ? Arrays.copyOf(left, left.length - 2) : new long[0];
        long[] rightBatch = switch (r.nextInt(3)) {
            case 0 -> batch;
            case 1 -> Shapes.broadcastPartner(batch, r);
            default -> left.length <= 2 && r.nextBoolean() ? new long[] {1 + r.nextInt(3)} : new long[0];
        };
        long[] shape = Arrays.copyOf(rightBatch, rightBatch.length + 2);
        shape[rightBatch.length] = k;
        shape[rightBatch.length + 1] = n;
        return shape;
    }
}
