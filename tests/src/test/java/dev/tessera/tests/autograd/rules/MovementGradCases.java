package dev.tessera.tests.autograd.rules;

import dev.tessera.tensor.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Gradient cases of the views; strided inputs make reshape copy, and every call records its view. */
final class MovementGradCases {
    private MovementGradCases() {}

    static void addTo(Map<Op, GradCaseMaker> makers) {
        makers.put(Op.RESHAPE, MovementGradCases::reshape);
        makers.put(Op.PERMUTE, MovementGradCases::permute);
        makers.put(Op.TRANSPOSE, MovementGradCases::transpose);
        makers.put(Op.SLICE, MovementGradCases::slice);
        makers.put(Op.SELECT, MovementGradCases::select);
        makers.put(Op.EXPAND, MovementGradCases::expand);
        makers.put(Op.SQUEEZE, MovementGradCases::squeeze);
        makers.put(Op.UNSQUEEZE, MovementGradCases::unsqueeze);
    }

    /** To a random shape of the same size (its factors dealt to 0 to 3 dims), sometimes with a -1. */
    private static GradCase reshape(Draw d) {
        long[] shape = d.shape(0, 3);
        long[] target = regroup(d, GradLayout.numel(shape));
        if (target.length > 0 && d.oneIn(3)) {
            target[d.between(0, target.length - 1)] = -1;
        }
        GradInput x = input(d, shape);
        return d.done(Op.RESHAPE, "to " + Arrays.toString(target), List.of(x),
                (in, device) -> List.of(in.get(0).reshape(target)));
    }

    /** The prime factors of n dealt at random to up to 3 dims (some left at 1). */
    private static long[] regroup(Draw d, long n) {
        long[] target = new long[d.between(n == 1 ? 0 : 1, 3)];
        Arrays.fill(target, 1);
        long rest = n;
        for (long p = 2; rest > 1; p++) {
            while (rest % p == 0) {
                target[d.between(0, target.length - 1)] *= p;
                rest /= p;
            }
        }
        return target;
    }

    private static GradCase permute(Draw d) {
        long[] shape = d.shape(0, 3);
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < shape.length; i++) {
            order.add(i);
        }
        Collections.shuffle(order, d.random());
        int[] dims = order.stream().mapToInt(i -> d.oneIn(4) ? i - shape.length : i).toArray();
        GradInput x = input(d, shape);
        return d.done(Op.PERMUTE, "dims=" + Arrays.toString(dims), List.of(x),
                (in, device) -> List.of(in.get(0).permute(dims)));
    }

    /** Any two dims, the same one twice included. */
    private static GradCase transpose(Draw d) {
        long[] shape = d.shape(1, 3);
        int a = d.dim(shape.length);
        int b = d.dim(shape.length);
        GradInput x = input(d, shape);
        return d.done(Op.TRANSPOSE, "dims " + a + ", " + b, List.of(x), (in, device) -> List.of(in.get(0).transpose(a, b)));
    }

    /**
     * A narrow, or Python-style bounds with steps 1 to 3: random ones (negative, past the end,
     * empty) or, half the time, a stride through most of a dim of 4 to 7, so that a step shows.
     */
    private static GradCase slice(Draw d) {
        long[] shape = d.shape(1, 3, 4, 30);
        int dim = d.dim(shape.length);
        int at = Math.floorMod(dim, shape.length);
        boolean strided = d.coin();
        if (strided) {
            shape[at] = d.between(4, 7);
        }
        int size = (int) shape[at];
        GradInput x = input(d, shape);
        if (!strided && d.oneIn(3)) {
            long start = d.between(0, size);
            long length = d.between(0, size - (int) start);
            return d.done(Op.SLICE, "narrow dim=" + dim + ", start=" + start + ", length=" + length, List.of(x),
                    (in, device) -> List.of(in.get(0).narrow(dim, start, length)));
        }
        long start = strided ? d.between(0, 1) - (d.coin() ? size : 0) : d.between(-size - 1, size);
        long end = strided ? size + d.between(-1, 1) : d.between(-size, size + 1);
        long step = strided ? d.between(2, 3) : d.between(1, 3);
        return d.done(Op.SLICE, "dim=" + dim + ", " + start + ":" + end + ":" + step, List.of(x),
                (in, device) -> List.of(in.get(0).slice(dim, start, end, step)));
    }

    /** An index counted from either end. */
    private static GradCase select(Draw d) {
        long[] shape = d.shape(1, 3);
        int dim = d.dim(shape.length);
        int size = (int) shape[Math.floorMod(dim, shape.length)];
        long index = d.between(-size, size - 1);
        GradInput x = input(d, shape);
        return d.done(Op.SELECT, "dim=" + dim + ", index=" + index, List.of(x),
                (in, device) -> List.of(in.get(0).select(dim, index)));
    }

    /** Size-1 dims grown to 1..3, up to 2 new leading dims, -1 for kept sizes now and then. */
    private static GradCase expand(Draw d) {
        long[] shape = d.shape(0, 3, 4, 20);
        for (int i = 0; i < shape.length; i++) {
            if (d.coin()) {
                shape[i] = 1;
            }
        }
        int lead = d.between(0, 2);
        long[] sizes = new long[lead + shape.length];
        for (int i = 0; i < sizes.length; i++) {
            long old = i < lead ? 1 : shape[i - lead];
            sizes[i] = old == 1 ? d.between(1, 3) : d.oneIn(3) ? -1 : old;
        }
        GradInput x = input(d, shape);
        return d.done(Op.EXPAND, "to " + Arrays.toString(sizes), List.of(x), (in, device) -> List.of(in.get(0).expand(sizes)));
    }

    /** squeeze() of a shape with some size-1 dims, or squeeze(dim) of one of them. */
    private static GradCase squeeze(Draw d) {
        long[] shape = d.shape(1, 3);
        int one = d.between(0, shape.length - 1);
        shape[one] = 1;
        boolean all = d.coin();
        int dim = d.oneIn(4) ? one - shape.length : one;
        GradInput x = input(d, shape);
        return d.done(Op.SQUEEZE, all ? "all" : "dim=" + dim, List.of(x),
                (in, device) -> List.of(all ? in.get(0).squeeze() : in.get(0).squeeze(dim)));
    }

    private static GradCase unsqueeze(Draw d) {
        long[] shape = d.shape(0, 3);
        int dim = d.between(-shape.length - 1, shape.length);
        GradInput x = input(d, shape);
        return d.done(Op.UNSQUEEZE, "dim=" + dim, List.of(x), (in, device) -> List.of(in.get(0).unsqueeze(dim)));
    }

    private static GradInput input(Draw d, long[] shape) {
        return d.input("x", shape, d.uniform(GradLayout.numel(shape), -3, 3));
    }
}
