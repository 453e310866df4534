package dev.tessera.tests.ops;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.util.List;
import java.util.Random;

/**
 * gather, scatter_add, index_select, index_add, one_hot, embedding. Index inputs hold valid
 * indices (with repeats, so that scatter_add and index_add accumulate); I64 or I32, any layout.
 * Bad index values are checked by the backends, so those error cases run on every device.
 */
final class OpInfosIndex {
    private OpInfosIndex() {}

    static List<OpInfo> index() {
        return List.of(gather(), scatterAdd(), indexSelect(), indexAdd(), oneHot(), embedding());
    }

    /** An index shape for gather / scatter_add along {@code d}: at most {@code limit} in other dims, anything along d. */
    private static long[] indexShape(long[] limit, int d, long alongLimit, Random r) {
        long[] shape = new long[limit.length];
        for (int i = 0; i < limit.length; i++) {
            long bound = i == d ? alongLimit : limit[i];
            shape[i] = r.nextBoolean() ? bound : r.nextLong(bound + 1);
        }
        return shape;
    }

    private static OpInfo gather() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Input x = Cases.input("x", shape, dtype, Cases.domainFor(dtype, Domain.uniform(-10, 10), Cases.INTEGERS), layout, r);
            int d = r.nextInt(shape.length);
            long along = shape[d] == 0 ? 0 : 2 * shape[d] + 1;
            Input index = Cases.indices("index", indexShape(shape, d, along, r), shape[d], r);
            int dim = Shapes.maybeNegative(d, shape.length, r);
            return new OpCase(Op.GATHER, "dim " + dim, List.of(x, index), in -> List.of(in.get(0).gather(dim, in.get(1))));
        };
        return OpInfo.of(Op.GATHER).dtypes(Cases.ALL).minRank(1).maker(maker).tolerance(Tolerance.exact())
                .error("F32 indices", home -> Cases.zeros(home, DType.F32, 2, 3).gather(1, Cases.zeros(home, DType.F32, 2, 2)),
                        "F32", "[2, 2]")
                .error("an index of another rank", home -> Cases.zeros(home, DType.F32, 2, 3)
                        .gather(1, Cases.zeros(home, DType.I64, 3)), "[3]")
                .error("an index larger than the input", home -> Cases.zeros(home, DType.F32, 2, 3)
                        .gather(1, Cases.zeros(home, DType.I64, 4, 3)), "[4, 3]", "[2, 3]")
                .error("an index on another device", home -> Cases.zeros(home, DType.F32, 2, 3)
                        .gather(1, Cases.zeros(Cases.other(home), DType.I64, 2, 3)), "cpu", "reference")
                .error("an index value out of range", home -> Cases.zeros(home, DType.F32, 2, 3)
                        .gather(1, Tensor.of(new long[] {0, 7}, 1, 2).to(home)), "7")
                .build();
    }

    private static OpInfo scatterAdd() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Domain values = Cases.domainFor(dtype, Cases.sometimesIntegral(Domain.uniform(-1, 1), r), Cases.INTEGERS);
            Input x = Cases.input("x", shape, dtype, values, layout, r);
            int d = r.nextInt(shape.length);
            long[] index = indexShape(shape, d, shape[d] == 0 ? 0 : 2 * shape[d] + 1, r);
            long[] src = index.clone();
            for (int i = 0; i < src.length; i++) {
                src[i] += r.nextInt(2);
            }
            Input indexInput = Cases.indices("index", index, shape[d], r);
            Input srcInput = Cases.input("src", src, dtype, values, Cases.layout(r), r);
            int dim = Shapes.maybeNegative(d, shape.length, r);
            return new OpCase(Op.SCATTER_ADD, "dim " + dim, List.of(x, indexInput, srcInput), 1 + index[d],
                    in -> List.of(in.get(0).scatterAdd(dim, in.get(1), in.get(2))));
        };
        return OpInfo.of(Op.SCATTER_ADD).dtypes(Cases.NUMERIC).minRank(1).maker(maker)
                // Each output adds at most index.size(dim) values to x, into the output (which may round each time).
                .tolerance(Tolerance.sumOfTerms(Tolerance.Summation.IN_OUTPUT_DTYPE))
                .error("src of another dtype", home -> Cases.zeros(home, DType.F32, 3)
                        .scatterAdd(0, Cases.zeros(home, DType.I64, 2), Cases.zeros(home, DType.F64, 2)), "F32", "F64")
                .error("F32 indices", home -> Cases.zeros(home, DType.F32, 3)
                        .scatterAdd(0, Cases.zeros(home, DType.F32, 2), Cases.zeros(home, DType.F32, 2)), "F32", "[2]")
                .error("an index larger than src", home -> Cases.zeros(home, DType.F32, 3, 3)
                        .scatterAdd(0, Cases.zeros(home, DType.I64, 2, 3), Cases.zeros(home, DType.F32, 1, 3)), "[2, 3]", "[1, 3]")
                .error("an index value out of range", home -> Cases.zeros(home, DType.F32, 3)
                        .scatterAdd(0, Tensor.of(new long[] {1, 9}).to(home), Cases.zeros(home, DType.F32, 2)), "9")
                .error("src on another device", home -> Cases.zeros(home, DType.F32, 3)
                        .scatterAdd(0, Cases.zeros(home, DType.I64, 2), Cases.zeros(Cases.other(home), DType.F32, 2)), "cpu", "reference")
                .build();
    }

    private static OpInfo indexSelect() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Input x = Cases.input("x", shape, dtype, Cases.domainFor(dtype, Domain.uniform(-10, 10), Cases.INTEGERS), layout, r);
            int d = r.nextInt(shape.length);
            long length = shape[d] == 0 ? 0 : r.nextLong(2 * shape[d] + 2);
            Input index = Cases.indices("index", new long[] {length}, shape[d], r);
            int dim = Shapes.maybeNegative(d, shape.length, r);
            return new OpCase(Op.INDEX_SELECT, "dim " + dim, List.of(x, index),
                    in -> List.of(in.get(0).indexSelect(dim, in.get(1))));
        };
        return OpInfo.of(Op.INDEX_SELECT).dtypes(Cases.ALL).minRank(1).maker(maker).tolerance(Tolerance.exact())
                .error("a 2-D index", home -> Cases.zeros(home, DType.F32, 4, 3).indexSelect(0, Cases.zeros(home, DType.I64, 2, 2)),
                        "[2, 2]")
                .error("F64 indices", home -> Cases.zeros(home, DType.F32, 4).indexSelect(0, Cases.zeros(home, DType.F64, 2)),
                        "F64", "[2]")
                .error("dim out of range", home -> Cases.zeros(home, DType.F32, 4).indexSelect(1, Cases.zeros(home, DType.I64, 2)),
                        "dim 1", "[4]")
                .error("an index value out of range", home -> Cases.zeros(home, DType.F32, 4, 3)
                        .indexSelect(0, Tensor.of(new long[] {0, 4}).to(home)), "4")
                .error("an index on another device", home -> Cases.zeros(home, DType.F32, 4)
                        .indexSelect(0, Cases.zeros(Cases.other(home), DType.I64, 2)), "cpu", "reference")
                .build();
    }

    private static OpInfo indexAdd() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Domain values = Cases.domainFor(dtype, Cases.sometimesIntegral(Domain.uniform(-1, 1), r), Cases.INTEGERS);
            Input x = Cases.input("x", shape, dtype, values, layout, r);
            int d = r.nextInt(shape.length);
            long length = shape[d] == 0 ? 0 : r.nextLong(2 * shape[d] + 2);
            Input index = Cases.indices("index", new long[] {length}, shape[d], r);
            Input src = Cases.input("src", Shapes.withSize(shape, d, length), dtype, values, Cases.layout(r), r);
            int dim = Shapes.maybeNegative(d, shape.length, r);
            return new OpCase(Op.INDEX_ADD, "dim " + dim, List.of(x, index, src), 1 + length,
                    in -> List.of(in.get(0).indexAdd(dim, in.get(1), in.get(2))));
        };
        return OpInfo.of(Op.INDEX_ADD).dtypes(Cases.NUMERIC).minRank(1).maker(maker)
                // Each output slice adds at most index.length slices of src, into the output (which may round each time).
                .tolerance(Tolerance.sumOfTerms(Tolerance.Summation.IN_OUTPUT_DTYPE))
                .error("src of the wrong shape", home -> Cases.zeros(home, DType.F32, 4, 3)
                        .indexAdd(0, Cases.zeros(home, DType.I64, 2), Cases.zeros(home, DType.F32, 2, 4)), "[2, 3]", "[2, 4]")
                .error("src of another dtype", home -> Cases.zeros(home, DType.F32, 4)
                        .indexAdd(0, Cases.zeros(home, DType.I64, 2), Cases.zeros(home, DType.I32, 2)), "F32", "I32")
                .error("an index value out of range", home -> Cases.zeros(home, DType.F32, 4)
                        .indexAdd(0, Tensor.of(new long[] {-1}).to(home), Cases.zeros(home, DType.F32, 1)), "-1")
                .error("an index on another device", home -> Cases.zeros(home, DType.F32, 4)
                        .indexAdd(0, Cases.zeros(Cases.other(home), DType.I64, 2), Cases.zeros(home, DType.F32, 2)), "cpu", "reference")
                .build();
    }

    private static OpInfo oneHot() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            long classes = 1 + r.nextInt(20);
            Input ids = new Input("ids", shape, dtype, Domain.integers(0, classes - 1), layout, r.nextLong());
            return new OpCase(Op.ONE_HOT, "classes " + classes, List.of(ids), in -> List.of(in.get(0).oneHot(classes)));
        };
        return OpInfo.of(Op.ONE_HOT).dtypes(Cases.INDEX_TYPES).shapes(Shapes.small(0).filter(s -> Shapes.numel(s) <= 500)).maker(maker).tolerance(Tolerance.exact())
                .error("no classes", home -> Cases.zeros(home, DType.I64, 3).oneHot(0), "0")
                .error("an index beyond the classes", home -> Tensor.of(new long[] {0, 5, 1, 2}).to(home).oneHot(3), "[4]", "5")
                .error("F32 ids", home -> Cases.zeros(home, DType.F32, 2, 2).oneHot(3), "F32", "[2, 2]")
                .build();
    }

    /** The main shape is the ids'; weight is [vocab, dim]. */
    private static OpInfo embedding() {
        long[] widths = {1, 7, 16, 17, 33};
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            long vocab = 1 + r.nextInt(40);
            long[] weightShape = {vocab, widths[r.nextInt(widths.length)]};
            Input weight = Cases.input("weight", weightShape, dtype, Domain.uniform(-1, 1), layout, r);
            Input ids = Cases.indices("ids", shape, vocab, r);
            return new OpCase(Op.EMBEDDING, "", List.of(weight, ids), in -> List.of(Tensor.embedding(in.get(0), in.get(1))));
        };
        return OpInfo.of(Op.EMBEDDING).dtypes(Cases.FLOATS).shapes(Shapes.small(0).filter(s -> Shapes.numel(s) <= 500))
                .maker(maker).tolerance(Tolerance.exact())
                .error("a 3-D weight", home -> Tensor.embedding(Cases.zeros(home, DType.F32, 2, 3, 4), Cases.zeros(home, DType.I64, 2)),
                        "[2, 3, 4]")
                .error("F32 ids", home -> Tensor.embedding(Cases.zeros(home, DType.F32, 5, 3), Cases.zeros(home, DType.F32, 2)),
                        "F32", "[2]")
                .error("ids on another device", home -> Tensor.embedding(Cases.zeros(home, DType.F32, 5, 3),
                        Cases.zeros(Cases.other(home), DType.I64, 2)), "cpu", "reference")
                .error("an id out of range", home -> Tensor.embedding(Cases.zeros(home, DType.F32, 5, 3),
                        Tensor.of(new long[] {0, 5}).to(home)), "5")
                .build();
    }
}
