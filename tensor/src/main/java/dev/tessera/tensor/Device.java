package dev.tessera.tensor;

import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where a tensor lives and which {@link Backend} runs its ops. {@code reference} is the plain-loop
 * oracle, {@code cpu} the Vector API backend (the default), {@code opencl} the GPU backend when
 * its module is on the class path.
 */
public final class Device {
    private static final Map<String, Device> DEVICES = new ConcurrentHashMap<>();

    private final Backend backend;

    private Device(Backend backend) {
        this.backend = backend;
    }

    /** The Vector API CPU backend, the default device. */
    public static Device cpu() {
        return of("cpu");
    }

    /** The reference backend: plain loops, double accumulation, the oracle of the test suite. */
    public static Device reference() {
        return of("reference");
    }

    /** The OpenCL backend; fails with a clear message when the opencl module is not on the class path. */
    public static Device opencl() {
        return of("opencl");
    }

    /** The device whose backend has this name. */
    public static Device of(String name) {
        Device device = DEVICES.get(name);
        if (device != null) {
            return device;
        }
        Map<String, Backend> found = new TreeMap<>();
        for (Backend backend : ServiceLoader.load(Backend.class)) {
            found.put(backend.name(), backend);
        }
        Backend backend = found.get(name);
        if (backend == null) {
            throw new IllegalArgumentException("no backend named '" + name + "' on the class path (found: "
                    + String.join(", ", found.keySet()) + ")");
        }
        return DEVICES.computeIfAbsent(name, n -> new Device(backend));
    }

    public Backend backend() {
        return backend;
    }

    public String name() {
        return backend.name();
    }

    @Override
    public String toString() {
        return name();
    }
}
