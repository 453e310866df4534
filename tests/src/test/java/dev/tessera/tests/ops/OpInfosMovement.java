package dev.tessera.tests.ops;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * Views: no data moves, so each case returns the view and a copy of it made by the backend's
 * strided copy; reshape of a non-contiguous input copies by itself.
 */
final class OpInfosMovement {
    private OpInfosMovement() {}

    static List<OpInfo> movement() {
        return List.of(reshape(), permute(), transpose(), slice(), select(), expand(), squeeze(), unsqueeze());
    }

    private static OpInfo.Builder view(Op op, CaseMaker maker) {
        return OpInfo.of(op).dtypes(Cases.ALL).maker(maker).tolerance(Tolerance.exact());
    }

    /** A case of a view op on an input of {@code shape}: the view and a backend copy of it. */
    private static OpCase viewCase(Op op, String params, long[] shape, DType dtype, Layout layout, Random r,
            UnaryOperator<Tensor> call) {
        Input x = Cases.input("x", shape, dtype, Cases.domainFor(dtype, Domain.uniform(-10, 10), Cases.INTEGERS), layout, r);
        return new OpCase(op, params, List.of(x), in -> {
            Tensor view = call.apply(in.get(0));
            return List.of(view, view.copy());
        });
    }

    private static OpInfo reshape() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            long[] target = reshapeTarget(Shapes.numel(shape), r);
            return viewCase(Op.RESHAPE, "to " + Shapes.str(target), shape, dtype, layout, r, x -> x.reshape(target));
        };
        return view(Op.RESHAPE, maker)
                .error("another element count", home -> Cases.zeros(home, DType.F32, 2, 3).reshape(4, 2), "[2, 3]", "[4, 2]")
                .error("two unknown sizes", home -> Cases.zeros(home, DType.F32, 2, 3).reshape(-1, -1), "[-1, -1]")
                .build();
    }

    /** A random shape of {@code numel} elements; sometimes one size is -1. */
    private static long[] reshapeTarget(long numel, Random r) {
        if (numel == 0) {
            long[][] empties = {{0}, {2, 0}, {0, 5, 1}, {3, 0, 2}};
            return empties[r.nextInt(empties.length)];
        }
        List<Long> sizes = new ArrayList<>();
        long rest = numel;
        int rank = numel == 1 ? r.nextInt(3) : 1 + r.nextInt(4);
        for (int i = 0; i < rank - 1; i++) {
            List<Long> divisors = new ArrayList<>();
            for (long f = 1; f <= rest; f++) {
                if (rest % f == 0) {
                    divisors.add(f);
                }
            }
            long size = divisors.get(r.nextInt(divisors.size()));
            sizes.add(size);
            rest /= size;
        }
        if (rank > 0) {
            sizes.add(rest);
        }
        Collections.shuffle(sizes, r);
        long[] target = Shapes.toArray(sizes);
        if (target.length > 0 && r.nextInt(3) == 0) {
            target[r.nextInt(target.length)] = -1;
        }
        return target;
    }

    private static OpInfo permute() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            List<Integer> order = new ArrayList<>();
            for (int d = 0; d < shape.length; d++) {
                order.add(d);
            }
            Collections.shuffle(order, r);
            int[] dims = order.stream().mapToInt(d -> Shapes.maybeNegative(d, shape.length, r)).toArray();
            return viewCase(Op.PERMUTE, "dims " + Arrays.toString(dims), shape, dtype, layout, r, x -> x.permute(dims));
        };
        return view(Op.PERMUTE, maker)
                .error("too few dims", home -> Cases.zeros(home, DType.F32, 2, 3, 4).permute(1, 0), "[2, 3, 4]")
                .error("a repeated dim", home -> Cases.zeros(home, DType.F32, 2, 3).permute(1, 1), "[1, 1]")
                .build();
    }

    private static OpInfo transpose() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            int a = Shapes.maybeNegative(r.nextInt(shape.length), shape.length, r);
            int b = Shapes.maybeNegative(r.nextInt(shape.length), shape.length, r);
            return viewCase(Op.TRANSPOSE, "dims " + a + ", " + b, shape, dtype, layout, r, x -> x.transpose(a, b));
        };
        return view(Op.TRANSPOSE, maker).minRank(1)
                .error("dim out of range", home -> Cases.zeros(home, DType.F32, 2, 3).transpose(0, 2), "dim 2", "[2, 3]")
                .build();
    }

    /** Python slicing: bounds may be negative or beyond the dim (they clamp), step 1 to 3. */
    private static OpInfo slice() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            int d = r.nextInt(shape.length);
            long size = shape[d];
            long start = r.nextLong(-size - 2, size + 3);
            long end = r.nextLong(-size - 2, size + 3);
            long step = 1 + r.nextInt(3);
            int dim = Shapes.maybeNegative(d, shape.length, r);
            return viewCase(Op.SLICE, "dim " + dim + ", " + start + ":" + end + ":" + step, shape, dtype, layout, r,
                    x -> x.slice(dim, start, end, step));
        };
        return view(Op.SLICE, maker).minRank(1)
                .error("a zero step", home -> Cases.zeros(home, DType.F32, 5).slice(0, 0, 5, 0), "step", "0")
                .error("dim out of range", home -> Cases.zeros(home, DType.F32, 5).slice(1, 0, 2), "dim 1", "[5]")
                .build();
    }

    private static OpInfo select() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            long[] s = Shapes.withNonEmptyDim(shape);
            int d = Shapes.nonEmptyDim(s, r);
            long index = r.nextLong(-s[d], s[d]);
            int dim = Shapes.maybeNegative(d, s.length, r);
            return viewCase(Op.SELECT, "dim " + dim + ", index " + index, s, dtype, layout, r, x -> x.select(dim, index));
        };
        return view(Op.SELECT, maker).minRank(1)
                .error("an index out of range", home -> Cases.zeros(home, DType.F32, 3, 2).select(0, 3), "index 3", "[3, 2]")
                .error("dim out of range", home -> Cases.zeros(home, DType.F32, 3).select(1, 0), "dim 1", "[3]")
                .build();
    }

    /** The input has some dims of size 1; they grow to the main shape's sizes, and new leading dims may appear. */
    private static OpInfo expand() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            long[] input = Shapes.someDimsOne(shape, r);
            int extra = r.nextInt(3);
            long[] target = new long[extra + shape.length];
            for (int i = 0; i < extra; i++) {
                target[i] = 1 + r.nextInt(3);
            }
            for (int d = 0; d < shape.length; d++) {
                target[extra + d] = input[d] == shape[d] && r.nextInt(3) == 0 ? -1 : shape[d];
            }
            return viewCase(Op.EXPAND, "to " + Shapes.str(target), input, dtype, layout, r, x -> x.expand(target));
        };
        return view(Op.EXPAND, maker)
                .error("a size that is not 1 growing", home -> Cases.zeros(home, DType.F32, 2, 3).expand(4, 3), "[2, 3]", "[4, 3]")
                .error("fewer dims", home -> Cases.zeros(home, DType.F32, 2, 3).expand(3), "[2, 3]", "[3]")
                .build();
    }

    private static OpInfo squeeze() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            long[] input = Shapes.someDimsOne(shape, r);
            if (input.length == 0 || r.nextInt(3) == 0) {
                return viewCase(Op.SQUEEZE, "all dims", input, dtype, layout, r, Tensor::squeeze);
            }
            int dim = Shapes.maybeNegative(r.nextInt(input.length), input.length, r);
            return viewCase(Op.SQUEEZE, "dim " + dim, input, dtype, layout, r, x -> x.squeeze(dim));
        };
        return view(Op.SQUEEZE, maker)
                .error("dim out of range", home -> Cases.zeros(home, DType.F32, 1, 3).squeeze(2), "dim 2", "[1, 3]")
                .build();
    }

    private static OpInfo unsqueeze() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            int dim = r.nextInt(-shape.length - 1, shape.length + 1);
            return viewCase(Op.UNSQUEEZE, "dim " + dim, shape, dtype, layout, r, x -> x.unsqueeze(dim));
        };
        return view(Op.UNSQUEEZE, maker)
                .error("dim out of range", home -> Cases.zeros(home, DType.F32, 2, 3).unsqueeze(4), "dim 4")
                .build();
    }
}
