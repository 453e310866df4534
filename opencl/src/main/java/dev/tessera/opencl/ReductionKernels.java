package dev.tessera.opencl;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Reductions, arg-reductions, softmax, cumsum and topk (reductions.cl). Each op picks, from the
 * shapes alone, one work-item per output (or line) when there are few elements each or when
 * neighbouring outputs are neighbours in memory, else one work-group per output with a tree in
 * local memory. Sums are combined in a fixed order, so a result repeats its bits.
 */
final class ReductionKernels {
    private static final String FAMILY = "reductions";
    /** Op codes of reductions.cl (R_*). */
    private static final int SUM = 0;
    private static final int MAX = 1;
    private static final int MIN = 2;
    private static final int SUM_EXP = 3;
    /** Outputs (or lines) of at most this many elements get one work-item each. */
    private static final long ITEM_LENGTH = 64;
    /** From this many outputs, outputs that lie side by side in memory get one work-item each (coalesced loads). */
    private static final long MANY_OUTPUTS = 4096;
    /** Work-groups a reduction of few outputs aims for: each output's elements split into chunks to fill the device. */
    private static final long TARGET_GROUPS = 1024;
    /** At most this many work-groups are launched; each loops over its share of the outputs beyond that. */
    private static final long MAX_GROUPS = 65536;
    /** Longest line (a power of two) topk sorts in local memory; longer lines sort in global memory. */
    private static final int LOCAL_SORT = 2048;

    private final ClRuntime runtime;
    /** Work-items per group: a power of two the device allows. */
    private final int group;

    ReductionKernels(ClRuntime runtime) {
        this.runtime = runtime;
        this.group = Integer.highestOneBit((int) Math.min(256, runtime.maxWorkGroupSize));
    }

    // ---------------------------------------------------------------- reduce

    void reduce(Op op, Tensor x, Tensor out) {
        if (out.numel() == 0) {
            return;
        }
        long[] reducedShape = x.shape();
        for (int d = 0; d < reducedShape.length; d++) {
            if (out.shape()[d] == reducedShape[d]) {
                reducedShape[d] = 1;
            }
        }
        if (Shape.numel(reducedShape) == 0) {
            switch (op) {
                case SUM -> out.device().backend().fill(out, 0);
                case LOGSUMEXP -> out.device().backend().fill(out, Double.NEGATIVE_INFINITY);
                default -> throw new IllegalArgumentException(op.opName() + ": cannot reduce an empty set (shape "
                        + Arrays.toString(x.shape()) + ")");
            }
            return;
        }
        // Dims of size 1 drop out of a layout: out's shape keeps the kept dims, reducedShape the others.
        KernelLayout kept = KernelLayout.of(out.shape(), x, out);
        KernelLayout reduced = KernelLayout.of(reducedShape, x);
        Reduction r = new Reduction(x, kept, reduced, perItem(x, out.shape()));
        switch (op) {
            case SUM -> r.pass(SUM, x, out, kept.shape(), kept.view(1));
            case MAX -> r.pass(MAX, x, out, kept.shape(), kept.view(1));
            case MIN -> r.pass(MIN, x, out, kept.shape(), kept.view(1));
            case LOGSUMEXP -> {
                Tensor max = Tensor.empty(x.dtype(), Device.opencl(), kept.numel());
                KernelLayout flat = KernelLayout.of(max.shape(), max);
                r.pass(MAX, x, max, flat.shape(), flat.view(0));
                r.pass(SUM_EXP, max, out, kept.shape(), kept.view(1));
            }
            default -> throw new IllegalArgumentException("reduce: " + op.opName() + " is not a reduction");
        }
    }

    /** One work-item per output: few elements each, or many outputs whose x elements lie side by side. */
    private static boolean perItem(Tensor x, long[] outShape) {
        long count = x.numel() / Math.max(1, Shape.numel(outShape));
        if (count <= ITEM_LENGTH) {
            return true;
        }
        for (int d = x.rank() - 1; d >= 0; d--) {
            if (x.shape()[d] > 1) {
                boolean innermostKept = outShape[d] == x.shape()[d] && x.strides()[d] == 1;
                return innermostKept && Shape.numel(outShape) >= MANY_OUTPUTS;
            }
        }
        return true;
    }

    /** A reduction of x: {@code kept} maps output o to where its elements start, {@code reduced} an element to its step. */
    private final class Reduction {
        private final Tensor x;
        private final KernelLayout kept;
        private final KernelLayout reduced;
        private final boolean perItem;
        private final String options;

        Reduction(Tensor x, KernelLayout kept, KernelLayout reduced, boolean perItem) {
            this.x = x;
            this.kept = kept;
            this.reduced = reduced;
            this.perItem = perItem;
            this.options = ClTypes.operand("X", x.dtype());
        }

        /**
         * Reduces with {@code code} into partials (in the compute type), then combines each output's
         * partials into {@code dest} at the (shape, view) layout. {@code shift} is SUM_EXP's max per
         * output (x's dtype, contiguous); the other ops ignore it.
         */
        void pass(int code, Tensor shift, Tensor dest, MemorySegment destShape, MemorySegment destView) {
            long outputs = kept.numel();
            long count = reduced.numel();
            int chunks;
            Tensor partial;
            if (perItem) {
                chunks = 1;
                partial = Tensor.empty(accumulator(x.dtype()), Device.opencl(), outputs);
                launch(options, "reduce_items")
                        .buffer(x).struct(kept.shape()).struct(kept.view(0)).struct(reduced.shape()).struct(steps(reduced))
                        .i64(count).i32(code).buffer(shift).buffer(partial)
                        .run1d(Grid.items(outputs), Grid.GROUP);
            } else {
                long wanted = ceilDiv(count, 4L * group);
                chunks = (int) Math.max(1, Math.min(wanted, TARGET_GROUPS / outputs));
                long chunkLength = ceilDiv(count, chunks);
                long tasks = outputs * chunks;
                partial = Tensor.empty(accumulator(x.dtype()), Device.opencl(), tasks);
                launch(options, "reduce_groups")
                        .buffer(x).struct(kept.shape()).struct(kept.view(0)).struct(reduced.shape()).struct(steps(reduced))
                        .i64(count).i64(chunkLength).i32(chunks).i32(code).buffer(shift).buffer(partial)
                        .local((long) group * accumulatorBytes(x.dtype()))
                        .run1d(Math.min(tasks, MAX_GROUPS) * group, group);
            }
            launch(options + ClTypes.operand("OUT", dest.dtype()), "reduce_finish")
                    .buffer(partial).i32(chunks).i32(code).buffer(shift).buffer(dest).struct(destShape).struct(destView)
                    .run1d(Grid.items(outputs), Grid.GROUP);
        }
    }

    /** A layout's steps without its offset: reduced elements are found relative to their output's start. */
    private static MemorySegment steps(KernelLayout layout) {
        MemorySegment view = layout.view(0);
        view.set(ValueLayout.JAVA_LONG, 0, 0L);
        return view;
    }

    // ---------------------------------------------------------------- argmax, argmin

    void argReduce(Op op, Tensor x, int dim, Tensor out) {
        if (op != Op.ARGMAX && op != Op.ARGMIN) {
            throw new IllegalArgumentException("argReduce: " + op.opName() + " is not argmax or argmin");
        }
        long length = x.shape()[dim];
        if (out.numel() == 0) {
            return;
        }
        if (length == 0) {
            throw new IllegalArgumentException(op.opName() + ": cannot reduce dim " + dim + " of size 0 (shape "
                    + Shape.str(x.shape()) + ")");
        }
        Lines lines = Lines.of(dim, x, out);
        KernelLayout l = lines.layout();
        boolean perItem = perItem(lines, length);
        Launch launch = launch(ClTypes.operand("X", x.dtype()), perItem ? "arg_items" : "arg_groups")
                .buffer(x).struct(l.shape()).struct(l.view(0)).struct(l.view(1)).i64(length).i64(lines.strides()[0])
                .i32(op == Op.ARGMAX ? 1 : 0).buffer(out);
        if (perItem) {
            launch.run1d(Grid.items(lines.count()), Grid.GROUP);
        } else {
            launch.local((long) group * accumulatorBytes(x.dtype())).local(8L * group).run1d(groups(lines), group);
        }
    }

    /** One work-item per line: short lines, or many lines whose neighbours lie side by side in memory. */
    private static boolean perItem(Lines lines, long length) {
        return length <= ITEM_LENGTH || (lines.count() >= MANY_OUTPUTS && lines.strides()[0] != 1);
    }

    /** Work-items for one work-group per line (they loop past MAX_GROUPS lines). */
    private long groups(Lines lines) {
        return Math.min(lines.count(), MAX_GROUPS) * group;
    }

    // ---------------------------------------------------------------- softmax, cumsum

    void softmax(Op op, Tensor x, int dim, Tensor out) {
        if (op != Op.SOFTMAX && op != Op.LOG_SOFTMAX) {
            throw new IllegalArgumentException("softmax: " + op.opName() + " is not softmax or log_softmax");
        }
        if (x.numel() == 0) {
            return;
        }
        long length = x.shape()[dim];
        Lines lines = Lines.of(dim, x, out);
        boolean perItem = perItem(lines, length);
        Launch launch = alongDim(perItem ? "softmax_items" : "softmax_groups", x, out, lines, length)
                .i32(op == Op.LOG_SOFTMAX ? 1 : 0);
        runAlongDim(launch, perItem, lines, x.dtype());
    }

    void cumsum(Tensor x, int dim, Tensor out) {
        if (x.numel() == 0) {
            return;
        }
        long length = x.shape()[dim];
        Lines lines = Lines.of(dim, x, out);
        boolean perItem = perItem(lines, length);
        runAlongDim(alongDim(perItem ? "cumsum_items" : "cumsum_groups", x, out, lines, length), perItem, lines, x.dtype());
    }

    /** The arguments softmax and cumsum share: x's lines, out's lines, the line length. */
    private Launch alongDim(String kernel, Tensor x, Tensor out, Lines lines, long length) {
        KernelLayout l = lines.layout();
        return launch(ClTypes.operand("X", x.dtype()), kernel)
                .buffer(x).struct(l.shape()).struct(l.view(0)).i64(lines.strides()[0])
                .buffer(out).struct(l.view(1)).i64(lines.strides()[1]).i64(length);
    }

    private void runAlongDim(Launch launch, boolean perItem, Lines lines, DType dtype) {
        if (perItem) {
            launch.run1d(Grid.items(lines.count()), Grid.GROUP);
        } else {
            launch.local((long) group * accumulatorBytes(dtype)).run1d(groups(lines), group);
        }
    }

    // ---------------------------------------------------------------- topk

    /** A bitonic sort of each line, best first, of which the first k entries are kept. */
    void topk(Tensor x, int dim, int k, boolean largest, Tensor values, Tensor indices) {
        if (k == 0 || values.numel() == 0) {
            return;
        }
        int n = Math.toIntExact(x.shape()[dim]);
        int padded = Integer.highestOneBit(n) == n ? n : Integer.highestOneBit(n) << 1;
        Lines lines = Lines.of(dim, x, values, indices);
        KernelLayout l = lines.layout();
        String options = ClTypes.operand("X", x.dtype());
        int keyBytes = accumulatorBytes(x.dtype());
        if (padded <= LOCAL_SORT && (long) padded * (keyBytes + 4) <= runtime.localMemBytes / 2) {
            int items = Math.max(1, Math.min(group, padded / 2));
            launch(options, "topk_local")
                    .buffer(x).struct(l.shape()).struct(l.view(0)).i64(lines.strides()[0])
                    .buffer(values).struct(l.view(1)).i64(lines.strides()[1])
                    .buffer(indices).struct(l.view(2)).i64(lines.strides()[2])
                    .i32(n).i32(padded).i32(k).i32(largest ? 1 : 0)
                    .local((long) padded * keyBytes).local(4L * padded)
                    .run1d(Math.min(lines.count(), MAX_GROUPS) * items, items);
            return;
        }
        long slotsTotal = lines.count() * padded;
        Tensor keys = Tensor.empty(accumulator(x.dtype()), Device.opencl(), slotsTotal);
        Tensor slots = Tensor.empty(DType.I32, Device.opencl(), slotsTotal);
        launch(options, "topk_load")
                .buffer(x).struct(l.shape()).struct(l.view(0)).i64(lines.strides()[0]).i32(n).i32(padded)
                .buffer(keys).buffer(slots)
                .run1d(Grid.items(slotsTotal), Grid.GROUP);
        for (int size = 2; size <= padded; size <<= 1) {
            for (int gap = size / 2; gap > 0; gap >>= 1) {
                launch(options, "topk_step")
                        .buffer(keys).buffer(slots).i64(lines.count()).i32(padded).i32(size).i32(gap).i32(n)
                        .i32(largest ? 1 : 0)
                        .run1d(Grid.items(slotsTotal / 2), Grid.GROUP);
            }
        }
        launch(options, "topk_store")
                .buffer(keys).buffer(slots).struct(l.shape()).i32(padded).i32(k)
                .buffer(values).struct(l.view(1)).i64(lines.strides()[1])
                .buffer(indices).struct(l.view(2)).i64(lines.strides()[2])
                .run1d(Grid.items(lines.count() * k), Grid.GROUP);
    }

    // ---------------------------------------------------------------- shared

    /** The dtype of X_ACC, the type a dtype computes in (ClTypes.compute). */
    private static DType accumulator(DType d) {
        return switch (d) {
            case F32, BF16, F16 -> DType.F32;
            case F64 -> DType.F64;
            case I32, I64, BOOL -> DType.I64;
        };
    }

    private static int accumulatorBytes(DType d) {
        return accumulator(d) == DType.F32 ? 4 : 8;
    }

    private static long ceilDiv(long a, long b) {
        return (a + b - 1) / b;
    }

    private Launch launch(String options, String kernel) {
        return new Launch(runtime, FAMILY, options, kernel);
    }
}
