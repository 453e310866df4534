package dev.tessera.tests.ops;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * cat, stack, split and chunk. split and chunk return views; each case returns them and a
 * contiguous copy of each, so that the backend's strided copy of them is compared too.
 */
final class OpInfosJoin {
    private static final long[] PART_SIZES = {0, 1, 2, 3, 7, 16, 17};

    private OpInfosJoin() {}

    static List<OpInfo> join() {
        return List.of(cat(), stack(), split(Op.SPLIT), split(Op.CHUNK));
    }

    private static Domain values(DType dtype) {
        return Cases.domainFor(dtype, Domain.uniform(-10, 10), Cases.INTEGERS);
    }

    /** One to four parts of the main shape, each with its own size along dim and its own layout. */
    private static OpInfo cat() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            int d = r.nextInt(shape.length);
            List<Input> parts = new ArrayList<>();
            parts.add(Cases.input("part0", shape, dtype, values(dtype), layout, r));
            int count = 1 + r.nextInt(4);
            for (int i = 1; i < count; i++) {
                long[] part = Shapes.withSize(shape, d, PART_SIZES[r.nextInt(PART_SIZES.length)]);
                parts.add(Cases.input("part" + i, part, dtype, values(dtype), Cases.layout(r), r));
            }
            int dim = Shapes.maybeNegative(d, shape.length, r);
            return new OpCase(Op.CAT, "dim " + dim, parts, in -> List.of(Tensor.cat(in, dim)));
        };
        return OpInfo.of(Op.CAT).dtypes(Cases.ALL).minRank(1).maker(maker).tolerance(Tolerance.exact())
                .error("no parts", home -> Tensor.cat(List.of(), 0))
                .error("sizes that differ outside dim", home -> Tensor.cat(List.of(Cases.zeros(home, DType.F32, 3, 3),
                        Cases.zeros(home, DType.F32, 2, 4)), 0), "[2, 4]", "[3, 3]")
                .error("parts of two ranks", home -> Tensor.cat(List.of(Cases.zeros(home, DType.F32, 2, 3),
                        Cases.zeros(home, DType.F32, 3)), 0), "[3]", "[2, 3]")
                .error("parts of two dtypes", home -> Tensor.cat(List.of(Cases.zeros(home, DType.F32, 2),
                        Cases.zeros(home, DType.I32, 2)), 0), "F32", "I32")
                .error("parts on two devices", home -> Tensor.cat(List.of(Cases.zeros(home, DType.F32, 2),
                        Cases.zeros(Cases.other(home), DType.F32, 2)), 0), "cpu", "reference")
                .error("dim out of range", home -> Tensor.cat(List.of(Cases.zeros(home, DType.F32, 2)), 1), "dim 1", "[2]")
                .build();
    }

    private static OpInfo stack() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            List<Input> parts = new ArrayList<>();
            int count = 1 + r.nextInt(4);
            for (int i = 0; i < count; i++) {
                parts.add(Cases.input("part" + i, shape, dtype, values(dtype), i == 0 ? layout : Cases.layout(r), r));
            }
            int dim = Shapes.maybeNegative(r.nextInt(shape.length + 1), shape.length + 1, r);
            return new OpCase(Op.STACK, "dim " + dim, parts, in -> List.of(Tensor.stack(in, dim)));
        };
        return OpInfo.of(Op.STACK).dtypes(Cases.ALL).shapes(Shapes.small(0).filter(s -> Shapes.numel(s) <= 1000))
                .maker(maker).tolerance(Tolerance.exact())
                .error("no parts", home -> Tensor.stack(List.of(), 0))
                .error("parts of two shapes", home -> Tensor.stack(List.of(Cases.zeros(home, DType.F32, 2, 3),
                        Cases.zeros(home, DType.F32, 3, 2)), 0), "[3, 2]", "[2, 3]")
                .error("parts of two dtypes", home -> Tensor.stack(List.of(Cases.zeros(home, DType.F32, 2),
                        Cases.zeros(home, DType.I32, 2)), 0), "F32", "I32")
                .error("parts on two devices", home -> Tensor.stack(List.of(Cases.zeros(home, DType.F32, 2),
                        Cases.zeros(Cases.other(home), DType.F32, 2)), 0), "cpu", "reference")
                .error("dim out of range", home -> Tensor.stack(List.of(Cases.zeros(home, DType.F32, 2, 3)), 3), "dim 3")
                .build();
    }

    /** split(size, dim) or chunk(chunks, dim): the pieces (views) and a contiguous copy of each. */
    private static OpInfo split(Op op) {
        boolean chunk = op == Op.CHUNK;
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Input x = Cases.input("x", shape, dtype, values(dtype), layout, r);
            int d = r.nextInt(shape.length);
            int dim = Shapes.maybeNegative(d, shape.length, r);
            int amount = 1 + r.nextInt((int) Math.min(shape[d] + 2, 40));
            return new OpCase(op, (chunk ? "chunks " : "size ") + amount + ", dim " + dim, List.of(x), in -> {
                List<Tensor> pieces = chunk ? in.get(0).chunk(amount, dim) : in.get(0).split(amount, dim);
                List<Tensor> out = new ArrayList<>(pieces);
                pieces.forEach(piece -> out.add(piece.copy()));
                return out;
            });
        };
        return OpInfo.of(op).dtypes(Cases.ALL).minRank(1).maker(maker).tolerance(Tolerance.exact())
                .error("a zero amount", home -> splitOf(chunk, Cases.zeros(home, DType.F32, 4), 0, 0), "0")
                .error("dim out of range", home -> splitOf(chunk, Cases.zeros(home, DType.F32, 4, 2), 2, -3), "dim -3", "[4, 2]")
                .build();
    }

    private static List<Tensor> splitOf(boolean chunk, Tensor x, int amount, int dim) {
        return chunk ? x.chunk(amount, dim) : x.split(amount, dim);
    }
}
