package dev.tessera.tests.ops;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import java.util.function.UnaryOperator;

/**
 * Builds an {@link Input}'s tensor in its layout. The physical data is arranged in plain Java
 * (no backend kernel decides where values go), created with {@code Tensor.of(double[])}, converted
 * to the dtype and moved to the device; a view then gives the logical tensor.
 */
final class Layouts {
    /** What the gaps of a sliced tensor hold: a kernel that reads them shows it (NaN spreads, a bad index throws). */
    private static final double FLOAT_GAP = Double.NaN;
    private static final double INTEGER_GAP = -77_777;

    private Layouts() {}

    /** The physical data and shape, the view that turns it into the input, and the logical values it shows. */
    record Plan(double[] physical, long[] physicalShape, UnaryOperator<Tensor> view, double[] logical) {}

    static Tensor build(Input input, Device device) {
        Plan plan = plan(input);
        Tensor physical = plan.physicalShape().length == 0
                ? Tensor.of(plan.physical(), 1).view()
                : Tensor.of(plan.physical(), plan.physicalShape());
        return plan.view().apply(physical.to(input.dtype()).to(device));
    }

    static Plan plan(Input input) {
        Random random = new Random(input.seed());
        long[] shape = input.shape();
        return switch (input.layout()) {
            case CONTIGUOUS -> {
                double[] values = draw(input.domain(), random, Shapes.numel(shape));
                yield new Plan(values, shape, t -> t, values);
            }
            case TRANSPOSED -> transposed(shape, draw(input.domain(), random, Shapes.numel(shape)));
            case SLICED -> sliced(shape, draw(input.domain(), random, Shapes.numel(shape)), gap(input.dtype()));
            case EXPANDED -> expanded(shape, input.domain(), random);
        };
    }

    private static double[] draw(Domain domain, Random random, long n) {
        double[] values = new double[Math.toIntExact(n)];
        for (int i = 0; i < values.length; i++) {
            values[i] = domain.draw(random);
        }
        return values;
    }

    private static double gap(DType dtype) {
        return dtype.isFloating() ? FLOAT_GAP : dtype == DType.BOOL ? 1 : INTEGER_GAP;
    }

    /** Stored with the dims reversed (physical index J holds logical index reverse(J)), then permuted back. */
    private static Plan transposed(long[] shape, double[] logical) {
        int rank = shape.length;
        long[] physicalShape = new long[rank];
        int[] back = new int[rank];
        for (int d = 0; d < rank; d++) {
            physicalShape[d] = shape[rank - 1 - d];
            back[d] = rank - 1 - d;
        }
        long[] logicalStrides = Shape.contiguousStrides(shape);
        double[] physical = new double[logical.length];
        for (int q = 0; q < physical.length; q++) {
            long[] j = Shapes.unravel(q, physicalShape);
            long[] i = new long[rank];
            for (int d = 0; d < rank; d++) {
                i[d] = j[rank - 1 - d];
            }
            physical[q] = logical[(int) Shapes.flatten(i, logicalStrides)];
        }
        return new Plan(physical, physicalShape, t -> t.permute(back), logical);
    }

    /** Logical element I sits at I with the last coordinate 2i+1 and, from rank 2, the first coordinate i+1. */
    private static Plan sliced(long[] shape, double[] logical, double gap) {
        int rank = shape.length;
        int last = rank - 1;
        long[] physicalShape = shape.clone();
        physicalShape[last] = 2 * shape[last] + 1;
        if (rank >= 2) {
            physicalShape[0] = shape[0] + 1;
        }
        double[] physical = new double[Math.toIntExact(Shapes.numel(physicalShape))];
        Arrays.fill(physical, gap);
        long[] physicalStrides = Shape.contiguousStrides(physicalShape);
        for (int q = 0; q < logical.length; q++) {
            long[] j = Shapes.unravel(q, shape);
            j[last] = 2 * j[last] + 1;
            if (rank >= 2) {
                j[0] += 1;
            }
            physical[(int) Shapes.flatten(j, physicalStrides)] = logical[q];
        }
        return new Plan(physical, physicalShape, t -> {
            Tensor v = t.slice(last, 1, physicalShape[last], 2);
            return rank >= 2 ? v.slice(0, 1, physicalShape[0]) : v;
        }, logical);
    }

    /** Values drawn for a base shape with some dims of size 1, expanded (stride 0) to the shape. */
    private static Plan expanded(long[] shape, Domain domain, Random random) {
        long[] base = shape.clone();
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] > 1 && random.nextBoolean()) {
                base[d] = 1;
            }
        }
        if (Arrays.equals(base, shape)) {
            base[firstDimAbove1(shape)] = 1;
        }
        double[] baseValues = draw(domain, random, Shapes.numel(base));
        long[] baseStrides = Shape.contiguousStrides(base);
        double[] logical = new double[Math.toIntExact(Shapes.numel(shape))];
        for (int q = 0; q < logical.length; q++) {
            long[] i = Shapes.unravel(q, shape);
            for (int d = 0; d < i.length; d++) {
                if (base[d] == 1) {
                    i[d] = 0;
                }
            }
            logical[q] = baseValues[(int) Shapes.flatten(i, baseStrides)];
        }
        return new Plan(baseValues, base, t -> t.expand(shape), logical);
    }

    private static int firstDimAbove1(long[] shape) {
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] > 1) {
                return d;
            }
        }
        throw new IllegalStateException("no dim above 1 in " + Shapes.str(shape));
    }
}
