package dev.tessera.opencl;

import static org.lwjgl.opencl.CL10.nclEnqueueNDRangeKernel;
import static org.lwjgl.opencl.CL10.nclSetKernelArg;

import dev.tessera.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

/**
 * One kernel launch: its arguments in order, then {@link #run} with the work sizes. Arguments
 * are set and the kernel enqueued under the runtime's lock, so a kernel object can serve every
 * thread. Tensor arguments hold their buffers until the launch is enqueued; the in-order queue
 * keeps a buffer the GC returns to the pool from being reused before this kernel has run.
 */
final class Launch {
    private final ClRuntime runtime;
    private final long kernel;
    private final String name;
    private final Arena arena = Arena.ofConfined();
    private final List<MemorySegment> values = new ArrayList<>();
    private final List<Long> sizes = new ArrayList<>();
    /** Keeps tensors (and so their buffers) reachable until the launch is enqueued. */
    private final List<Object> keepAlive = new ArrayList<>();

    Launch(ClRuntime runtime, String family, String options, String name) {
        this.runtime = runtime;
        this.kernel = runtime.programs.kernel(family, options, name);
        this.name = name;
    }

    /** The device buffer behind a tensor on the opencl device (the view's offset is passed separately). */
    Launch buffer(Tensor t) {
        keepAlive.add(t);
        return handle(OpenClBackend.buffer(t).handle());
    }

    Launch buffer(ClBuffer b) {
        keepAlive.add(b);
        return handle(b.handle());
    }

    private Launch handle(long handle) {
        MemorySegment v = arena.allocate(ValueLayout.JAVA_LONG);
        v.set(ValueLayout.JAVA_LONG, 0, handle);
        return add(v, 8);
    }

    Launch i32(int value) {
        MemorySegment v = arena.allocate(ValueLayout.JAVA_INT);
        v.set(ValueLayout.JAVA_INT, 0, value);
        return add(v, 4);
    }

    Launch i64(long value) {
        MemorySegment v = arena.allocate(ValueLayout.JAVA_LONG);
        v.set(ValueLayout.JAVA_LONG, 0, value);
        return add(v, 8);
    }

    Launch f32(float value) {
        MemorySegment v = arena.allocate(ValueLayout.JAVA_FLOAT);
        v.set(ValueLayout.JAVA_FLOAT, 0, value);
        return add(v, 4);
    }

    Launch f64(double value) {
        MemorySegment v = arena.allocate(ValueLayout.JAVA_DOUBLE);
        v.set(ValueLayout.JAVA_DOUBLE, 0, value);
        return add(v, 8);
    }

    /** A struct passed by value (a {@link KernelLayout} shape or view). */
    Launch struct(MemorySegment bytes) {
        MemorySegment v = arena.allocate(bytes.byteSize(), 8);
        v.copyFrom(bytes);
        return add(v, bytes.byteSize());
    }

    /** A {@code __local} buffer of {@code bytes} bytes. */
    Launch local(long bytes) {
        values.add(null);
        sizes.add(bytes);
        return this;
    }

    private Launch add(MemorySegment value, long size) {
        values.add(value);
        sizes.add(size);
        return this;
    }

    /** Enqueues over a 1-D range of {@code global} work items in groups of {@code local} (global is rounded up). */
    void run1d(long global, long local) {
        long groups = Math.max(1, (global + local - 1) / local);
        run(new long[] {groups * local}, new long[] {local});
    }

    /** Enqueues over an N-D range; {@code local} may be null to let the driver choose. */
    void run(long[] global, long[] local) {
        try {
            MemorySegment g = arena.allocate(ValueLayout.JAVA_LONG, global.length);
            MemorySegment l = local == null ? null : arena.allocate(ValueLayout.JAVA_LONG, local.length);
            for (int d = 0; d < global.length; d++) {
                g.setAtIndex(ValueLayout.JAVA_LONG, d, global[d]);
                if (l != null) {
                    l.setAtIndex(ValueLayout.JAVA_LONG, d, local[d]);
                }
            }
            runtime.lock.lock();
            try {
                for (int i = 0; i < values.size(); i++) {
                    MemorySegment v = values.get(i);
                    int code = nclSetKernelArg(kernel, i, sizes.get(i), v == null ? 0 : v.address());
                    ClErrors.check(code, "clSetKernelArg " + i + " of kernel " + name);
                }
                int code = nclEnqueueNDRangeKernel(runtime.queue, kernel, global.length, 0, g.address(),
                        l == null ? 0 : l.address(), 0, 0, 0);
                ClErrors.check(code, "clEnqueueNDRangeKernel of kernel " + name);
            } finally {
                runtime.lock.unlock();
            }
        } finally {
            arena.close();
            keepAlive.clear();
        }
    }
}
