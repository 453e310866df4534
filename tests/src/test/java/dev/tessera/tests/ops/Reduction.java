package dev.tessera.tests.ops;

import dev.tessera.tensor.Tensor;
import java.util.Arrays;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * Which dims a reduction case reduces and through which of the four overloads every reduction
 * has ({@code sum()}, {@code sum(dim)}, {@code sum(dim, keepdim)}, {@code sum(dims, keepdim)}).
 */
record Reduction(Form form, int[] dims, boolean keepdim) {
    enum Form { ALL, ONE_DIM, ONE_DIM_KEEPDIM, DIMS }

    /** The four overloads of one reduction, e.g. {@code new Overloads(Tensor::sum, Tensor::sum, Tensor::sum, Tensor::sum)}. */
    record Overloads(UnaryOperator<Tensor> all, BiFunction<Tensor, Integer, Tensor> oneDim, DimKeep oneDimKeep,
            DimsKeep dims) {}

    interface DimKeep {
        Tensor apply(Tensor x, int dim, boolean keepdim);
    }

    interface DimsKeep {
        Tensor apply(Tensor x, int[] dims, boolean keepdim);
    }

    /**
     * A random reduction of {@code shape}. When {@code emptyAllowed} is false (max, min: no
     * identity) and the shape holds no elements, only non-empty dims are reduced, so that the
     * result is empty too; the shape must then have one ({@link Shapes#withNonEmptyDim}).
     */
    static Reduction draw(long[] shape, boolean emptyAllowed, Random r) {
        int rank = shape.length;
        boolean keepdim = r.nextBoolean();
        if (!emptyAllowed && Shapes.numel(shape) == 0) {
            int d = Shapes.nonEmptyDim(shape, r);
            int spelled = Shapes.maybeNegative(d, rank, r);
            return new Reduction(r.nextBoolean() ? Form.ONE_DIM_KEEPDIM : Form.DIMS, new int[] {spelled}, keepdim);
        }
        if (rank == 0) {
            return r.nextBoolean() ? new Reduction(Form.ALL, new int[0], false) : new Reduction(Form.DIMS, new int[0], keepdim);
        }
        return switch (r.nextInt(4)) {
            case 0 -> new Reduction(Form.ALL, new int[0], false);
            case 1 -> new Reduction(Form.ONE_DIM, new int[] {Shapes.maybeNegative(r.nextInt(rank), rank, r)}, false);
            case 2 -> new Reduction(Form.ONE_DIM_KEEPDIM, new int[] {Shapes.maybeNegative(r.nextInt(rank), rank, r)}, keepdim);
            default -> new Reduction(Form.DIMS, IntStream.range(0, rank).filter(d -> r.nextBoolean())
                    .map(d -> Shapes.maybeNegative(d, rank, r)).toArray(), keepdim);
        };
    }

    Tensor apply(Tensor x, Overloads overloads) {
        return switch (form) {
            case ALL -> overloads.all().apply(x);
            case ONE_DIM -> overloads.oneDim().apply(x, dims[0]);
            case ONE_DIM_KEEPDIM -> overloads.oneDimKeep().apply(x, dims[0], keepdim);
            case DIMS -> overloads.dims().apply(x, dims, keepdim);
        };
    }

    /** True for the dims this reduction reduces (all of them for ALL or an empty dim list). */
    boolean[] reduced(int rank) {
        boolean[] reduced = new boolean[rank];
        if (dims.length == 0) {
            Arrays.fill(reduced, true);
        }
        for (int d : dims) {
            reduced[d < 0 ? d + rank : d] = true;
        }
        return reduced;
    }

    /** How many elements each output element combines. */
    long terms(long[] shape) {
        boolean[] reduced = reduced(shape.length);
        long n = 1;
        for (int d = 0; d < shape.length; d++) {
            if (reduced[d]) {
                n *= shape[d];
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return switch (form) {
            case ALL -> "all dims";
            case ONE_DIM -> "dim " + dims[0];
            case ONE_DIM_KEEPDIM, DIMS -> "dims " + Arrays.toString(dims) + ", keepdim " + keepdim;
        };
    }
}
