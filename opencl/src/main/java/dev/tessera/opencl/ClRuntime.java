package dev.tessera.opencl;

import static org.lwjgl.opencl.CL10.*;
import static org.lwjgl.opencl.CL12.CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The one OpenCL device Tessera runs on: its context and in-order command queue, chosen once per
 * JVM, as {@link DeviceChoice} says. Every enqueue happens under
 * {@link #lock}, so kernels (whose arguments are state) can be shared between threads.
 */
final class ClRuntime {
    private static volatile ClRuntime instance;

    final long platform;
    final long device;
    final long context;
    final long queue;
    final String deviceName;
    final String driverVersion;
    final String platformName;
    final boolean gpu;
    final long maxWorkGroupSize;
    final long localMemBytes;
    /** The largest single buffer the device allows (some drivers accept more and fail at first use). */
    final long maxAllocBytes;
    /**
     * Whether float division and sqrt can be built correctly rounded, as Java's are. OpenCL allows
     * 2.5 ulp for float division and 3 for sqrt by default, and NVIDIA's driver uses that freedom.
     */
    final boolean correctlyRoundedDivideSqrt;
    final ReentrantLock lock = new ReentrantLock();
    /** Bytes copied from the device to the host so far: each read is a sync the tests keep count of. */
    final LongAdder bytesRead = new LongAdder();
    final BufferPool pool;
    final Programs programs;

    private ClRuntime(long platform, long device) {
        this.platform = platform;
        this.device = device;
        this.deviceName = deviceString(device, CL_DEVICE_NAME).trim();
        this.driverVersion = deviceString(device, CL_DRIVER_VERSION).trim();
        this.platformName = platformString(platform, CL_PLATFORM_NAME).trim();
        this.gpu = (deviceLong(device, CL_DEVICE_TYPE) & CL_DEVICE_TYPE_GPU) != 0;
        this.maxWorkGroupSize = deviceLong(device, CL_DEVICE_MAX_WORK_GROUP_SIZE);
        this.localMemBytes = deviceLong(device, CL_DEVICE_LOCAL_MEM_SIZE);
        this.maxAllocBytes = deviceLong(device, CL_DEVICE_MAX_MEM_ALLOC_SIZE);
        this.correctlyRoundedDivideSqrt = (deviceLong(device, CL_DEVICE_SINGLE_FP_CONFIG)
                & CL_FP_CORRECTLY_ROUNDED_DIVIDE_SQRT) != 0;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment properties = arena.allocate(ValueLayout.JAVA_LONG, 3);
            properties.setAtIndex(ValueLayout.JAVA_LONG, 0, CL_CONTEXT_PLATFORM);
            properties.setAtIndex(ValueLayout.JAVA_LONG, 1, platform);
            MemorySegment devices = arena.allocate(ValueLayout.JAVA_LONG);
            devices.set(ValueLayout.JAVA_LONG, 0, device);
            this.context = nclCreateContext(properties.address(), 1, devices.address(), 0, 0, status.address());
            ClErrors.check(status.get(ValueLayout.JAVA_INT, 0), "clCreateContext on " + deviceName);
            this.queue = nclCreateCommandQueue(context, device, 0, status.address());
            ClErrors.check(status.get(ValueLayout.JAVA_INT, 0), "clCreateCommandQueue on " + deviceName);
        }
        this.pool = new BufferPool(this);
        this.programs = new Programs(this);
    }

    /** The runtime, created on first use; throws one clear message when no device can be found. */
    static ClRuntime get() {
        ClRuntime r = instance;
        if (r == null) {
            synchronized (ClRuntime.class) {
                r = instance;
                if (r == null) {
                    r = instance = open();
                }
            }
        }
        return r;
    }

    /** A device and its platform, with what the choice looks at. */
    private record Found(long platform, long device, DeviceChoice.Candidate candidate) {}

    private static ClRuntime open() {
        ClLoader.load();
        List<Found> all = candidates();
        if (all.isEmpty()) {
            throw new IllegalStateException("OpenCL: no platform or device found; " + ClLoader.INSTALL_HINT);
        }
        Found chosen = all.get(DeviceChoice.choose(all.stream().map(Found::candidate).toList(),
                System.getenv("TESSERA_OPENCL_DEVICE")));
        return new ClRuntime(chosen.platform, chosen.device);
    }

    private static List<Found> candidates() {
        List<Found> out = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(ValueLayout.JAVA_INT);
            int code = nclGetPlatformIDs(0, 0, count.address());
            if (code == -1001 || count.get(ValueLayout.JAVA_INT, 0) == 0) {
                return out;
            }
            ClErrors.check(code, "clGetPlatformIDs");
            int platforms = count.get(ValueLayout.JAVA_INT, 0);
            MemorySegment ids = arena.allocate(ValueLayout.JAVA_LONG, platforms);
            ClErrors.check(nclGetPlatformIDs(platforms, ids.address(), 0), "clGetPlatformIDs");
            for (int p = 0; p < platforms; p++) {
                long platform = ids.getAtIndex(ValueLayout.JAVA_LONG, p);
                if (nclGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, 0, 0, count.address()) != 0) {
                    continue;
                }
                int n = count.get(ValueLayout.JAVA_INT, 0);
                MemorySegment devices = arena.allocate(ValueLayout.JAVA_LONG, n);
                ClErrors.check(nclGetDeviceIDs(platform, CL_DEVICE_TYPE_ALL, n, devices.address(), 0), "clGetDeviceIDs");
                for (int d = 0; d < n; d++) {
                    long device = devices.getAtIndex(ValueLayout.JAVA_LONG, d);
                    boolean gpu = (deviceLong(device, CL_DEVICE_TYPE) & CL_DEVICE_TYPE_GPU) != 0;
                    out.add(new Found(platform, device,
                            new DeviceChoice.Candidate(deviceString(device, CL_DEVICE_NAME).trim(), gpu)));
                }
            }
        }
        return out;
    }

    /** Waits until every enqueued command has finished. */
    void finish() {
        lock.lock();
        try {
            ClErrors.check(clFinish(queue), "clFinish");
        } finally {
            lock.unlock();
        }
    }

    /** Copies {@code bytes} bytes from native host memory at {@code host} into {@code buffer} at {@code offset}; blocking. */
    void write(long buffer, long offset, MemorySegment host, long bytes) {
        if (bytes == 0) {
            return;
        }
        lock.lock();
        try {
            ClErrors.check(nclEnqueueWriteBuffer(queue, buffer, CL_TRUE, offset, bytes, host.address(), 0, 0, 0),
                    "clEnqueueWriteBuffer of " + bytes + " bytes");
        } finally {
            lock.unlock();
        }
    }

    /** Copies {@code bytes} bytes of {@code buffer} from {@code offset} into native host memory; blocking. */
    void read(long buffer, long offset, MemorySegment host, long bytes) {
        if (bytes == 0) {
            return;
        }
        bytesRead.add(bytes);
        lock.lock();
        try {
            ClErrors.check(nclEnqueueReadBuffer(queue, buffer, CL_TRUE, offset, bytes, host.address(), 0, 0, 0),
                    "clEnqueueReadBuffer of " + bytes + " bytes");
        } finally {
            lock.unlock();
        }
    }

    /** Device-side copy of {@code bytes} bytes between buffers. */
    void copyBuffer(long from, long fromOffset, long to, long toOffset, long bytes) {
        if (bytes == 0) {
            return;
        }
        lock.lock();
        try {
            ClErrors.check(nclEnqueueCopyBuffer(queue, from, to, fromOffset, toOffset, bytes, 0, 0, 0),
                    "clEnqueueCopyBuffer of " + bytes + " bytes");
        } finally {
            lock.unlock();
        }
    }

    static String deviceString(long device, int param) {
        return infoString((size, value, needed) -> nclGetDeviceInfo(device, param, size, value, needed),
                "clGetDeviceInfo");
    }

    static String platformString(long platform, int param) {
        return infoString((size, value, needed) -> nclGetPlatformInfo(platform, param, size, value, needed),
                "clGetPlatformInfo");
    }

    /** One clGetXxxInfo call: a value buffer of {@code size} bytes at {@code value}, the size needed written to {@code needed}. */
    interface InfoQuery {
        int call(long size, long value, long needed);
    }

    /** A string property: one call for its length, one for its bytes. */
    static String infoString(InfoQuery query, String what) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(ValueLayout.JAVA_LONG);
            ClErrors.check(query.call(0, 0, size.address()), what);
            long n = size.get(ValueLayout.JAVA_LONG, 0);
            MemorySegment text = arena.allocate(Math.max(1, n));
            ClErrors.check(query.call(n, text.address(), 0), what);
            return cString(text, n);
        }
    }

    /** A device property of type cl_ulong, size_t or cl_bitfield (8 bytes) or cl_uint (4). */
    static long deviceLong(long device, int param) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(ValueLayout.JAVA_LONG);
            MemorySegment size = arena.allocate(ValueLayout.JAVA_LONG);
            ClErrors.check(nclGetDeviceInfo(device, param, 8, value.address(), size.address()), "clGetDeviceInfo");
            return size.get(ValueLayout.JAVA_LONG, 0) == 4 ? Integer.toUnsignedLong(value.get(ValueLayout.JAVA_INT, 0))
                    : value.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    static String cString(MemorySegment text, long n) {
        byte[] bytes = text.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE);
        int end = 0;
        while (end < bytes.length && bytes[end] != 0) {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.UTF_8);
    }
}
