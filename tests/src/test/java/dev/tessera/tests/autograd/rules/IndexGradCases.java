package dev.tessera.tests.autograd.rules;

import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Gradient cases of the indexing ops and of the joins. Indices repeat, so gradients that meet
 * at one position must add up; index and source tensors are built on the case's device.
 */
final class IndexGradCases {
    private IndexGradCases() {}

    static void addTo(Map<Op, GradCaseMaker> makers) {
        makers.put(Op.GATHER, IndexGradCases::gather);
        makers.put(Op.SCATTER_ADD, IndexGradCases::scatterAdd);
        makers.put(Op.INDEX_SELECT, IndexGradCases::indexSelect);
        makers.put(Op.INDEX_ADD, IndexGradCases::indexAdd);
        makers.put(Op.EMBEDDING, IndexGradCases::embedding);
        makers.put(Op.CAT, IndexGradCases::cat);
        makers.put(Op.STACK, IndexGradCases::stack);
        makers.put(Op.SPLIT, IndexGradCases::split);
        makers.put(Op.CHUNK, IndexGradCases::chunk);
    }

    /** index no larger than x outside dim, of any length along it. */
    private static GradCase gather(Draw d) {
        long[] shape = d.shape(1, 3);
        int dim = d.dim(shape.length);
        int at = Math.floorMod(dim, shape.length);
        long[] indexShape = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            indexShape[i] = i == at ? d.between(1, 4) : d.between(1, (int) shape[i]);
        }
        long[] index = d.indices(GradLayout.numel(indexShape), shape[at]);
        GradInput x = d.input("x", shape, d.uniform(GradLayout.numel(shape), -3, 3));
        return d.done(Op.GATHER, "dim=" + dim + ", index" + Arrays.toString(indexShape) + "=" + Arrays.toString(index),
                List.of(x), (in, device) -> List.of(in.get(0).gather(dim, Draw.indexTensor(index, indexShape, device))));
    }

    /** src may be larger than index (the op reads only index's extent of it); both x and src get gradients. */
    private static GradCase scatterAdd(Draw d) {
        long[] shape = d.shape(1, 3, 4, 40);
        int dim = d.dim(shape.length);
        int at = Math.floorMod(dim, shape.length);
        long[] indexShape = new long[shape.length];
        long[] srcShape = new long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            indexShape[i] = i == at ? d.between(1, 3) : d.between(1, (int) shape[i]);
            srcShape[i] = indexShape[i] + d.between(0, 1);
        }
        long[] index = d.indices(GradLayout.numel(indexShape), shape[at]);
        GradInput x = d.input("x", shape, d.uniform(GradLayout.numel(shape), -3, 3));
        GradInput src = d.input("src", srcShape, d.uniform(GradLayout.numel(srcShape), -3, 3));
        return d.done(Op.SCATTER_ADD, "dim=" + dim + ", index" + Arrays.toString(indexShape) + "=" + Arrays.toString(index),
                List.of(x, src), (in, device) ->
                        List.of(in.get(0).scatterAdd(dim, Draw.indexTensor(index, indexShape, device), in.get(1))));
    }

    private static GradCase indexSelect(Draw d) {
        long[] shape = d.shape(1, 3);
        int dim = d.dim(shape.length);
        long[] index = d.indices(d.between(1, 5), shape[Math.floorMod(dim, shape.length)]);
        GradInput x = d.input("x", shape, d.uniform(GradLayout.numel(shape), -3, 3));
        return d.done(Op.INDEX_SELECT, "dim=" + dim + ", index=" + Arrays.toString(index), List.of(x),
                (in, device) -> List.of(in.get(0).indexSelect(dim, Draw.indexTensor(index, new long[] {index.length}, device))));
    }

    /** src has x's shape with the index's length along dim. */
    private static GradCase indexAdd(Draw d) {
        long[] shape = d.shape(1, 3, 4, 40);
        int dim = d.dim(shape.length);
        int at = Math.floorMod(dim, shape.length);
        long[] index = d.indices(d.between(1, 4), shape[at]);
        long[] srcShape = shape.clone();
        srcShape[at] = index.length;
        GradInput x = d.input("x", shape, d.uniform(GradLayout.numel(shape), -3, 3));
        GradInput src = d.input("src", srcShape, d.uniform(GradLayout.numel(srcShape), -3, 3));
        return d.done(Op.INDEX_ADD, "dim=" + dim + ", index=" + Arrays.toString(index), List.of(x, src),
                (in, device) -> List.of(
                        in.get(0).indexAdd(dim, Draw.indexTensor(index, new long[] {index.length}, device), in.get(1))));
    }

    /** A composite: rows of a [vocab, dim] weight picked by ids of rank 0 to 2. */
    private static GradCase embedding(Draw d) {
        long[] weightShape = {d.between(1, 6), d.between(1, 5)};
        long[] idsShape = d.shape(0, 2, 3, 9);
        long[] ids = d.indices(GradLayout.numel(idsShape), weightShape[0]);
        GradInput weight = d.input("weight", weightShape, d.uniform(GradLayout.numel(weightShape), -3, 3));
        return d.done(Op.EMBEDDING, "ids" + Arrays.toString(idsShape) + "=" + Arrays.toString(ids), List.of(weight),
                (in, device) -> List.of(Tensor.embedding(in.get(0), Draw.indexTensor(ids, idsShape, device))));
    }

    /** 1 to 3 parts that differ along dim (a part may be empty there), one in five a constant. */
    private static GradCase cat(Draw d) {
        long[] base = d.shape(1, 3, 4, 20);
        int dim = d.dim(base.length);
        int at = Math.floorMod(dim, base.length);
        int count = d.between(1, 3);
        List<GradInput> parts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long[] shape = base.clone();
            shape[at] = d.oneIn(8) ? 0 : d.between(1, 3);
            double[] values = d.uniform(GradLayout.numel(shape), -3, 3);
            parts.add(i > 0 && d.oneIn(5) ? d.constant("part" + i, shape, values) : d.input("part" + i, shape, values));
        }
        return d.done(Op.CAT, "dim=" + dim, parts, (in, device) -> List.of(Tensor.cat(in, dim)));
    }

    /** A composite: unsqueezes and a cat. */
    private static GradCase stack(Draw d) {
        long[] shape = d.shape(0, 2, 4, 20);
        int dim = d.between(-shape.length - 1, shape.length);
        int count = d.between(1, 3);
        List<GradInput> parts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            parts.add(d.input("part" + i, shape, d.uniform(GradLayout.numel(shape), -3, 3)));
        }
        return d.done(Op.STACK, "dim=" + dim, parts, (in, device) -> List.of(Tensor.stack(in, dim)));
    }

    /** A composite: pieces of {@code size} along dim, as slices; every piece is an output. */
    private static GradCase split(Draw d) {
        long[] shape = d.shape(1, 3);
        int dim = d.dim(shape.length);
        long size = d.between(1, (int) shape[Math.floorMod(dim, shape.length)] + 1);
        GradInput x = d.input("x", shape, d.uniform(GradLayout.numel(shape), -3, 3));
        return d.done(Op.SPLIT, "size=" + size + ", dim=" + dim, List.of(x), (in, device) -> in.get(0).split(size, dim));
    }

    /** A composite: a split into nearly equal pieces. */
    private static GradCase chunk(Draw d) {
        long[] shape = d.shape(1, 3);
        int dim = d.dim(shape.length);
        int chunks = d.between(1, 4);
        GradInput x = d.input("x", shape, d.uniform(GradLayout.numel(shape), -3, 3));
        return d.done(Op.CHUNK, "chunks=" + chunks + ", dim=" + dim, List.of(x), (in, device) -> in.get(0).chunk(chunks, dim));
    }
}
