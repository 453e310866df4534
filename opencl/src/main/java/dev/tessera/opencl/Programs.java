package dev.tessera.opencl;

import static org.lwjgl.opencl.CL10.*;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kernel sources and their compiled programs. A family's source is {@code common.cl} followed by
 * {@code <family>.cl} from this package's resources; it is built once per set of build options
 * (the dtypes of its operands) and kept in memory, and its binary is kept on disk, keyed by a hash
 * of the source, the options, the device and the driver, under {@code $TESSERA_CACHE} (default
 * {@code ~/.cache/tessera}) {@code /opencl}. A failed build throws with the compiler's log.
 */
final class Programs {
    private final ClRuntime runtime;
    private final Map<String, String> sources = new ConcurrentHashMap<>();
    private final Map<String, Long> programs = new ConcurrentHashMap<>();
    private final Map<String, Long> kernels = new ConcurrentHashMap<>();

    Programs(ClRuntime runtime) {
        this.runtime = runtime;
    }

    /** The kernel {@code name} of family {@code family} built with {@code options}; created once. */
    long kernel(String family, String options, String name) {
        String key = family + "|" + options + "|" + name;
        Long kernel = kernels.get(key);
        if (kernel != null) {
            return kernel;
        }
        synchronized (this) {
            return kernels.computeIfAbsent(key, k -> createKernel(program(family, options, name), family, name));
        }
    }

    /** How many kernel objects exist (they are cached for the JVM's life): the leak test's count. */
    int kernelCount() {
        return kernels.size();
    }

    private long program(String family, String options, String forKernel) {
        return programs.computeIfAbsent(family + "|" + options, k -> build(family, options, forKernel));
    }

    private long createKernel(long program, String family, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(ValueLayout.JAVA_INT);
            long kernel = nclCreateKernel(program, arena.allocateFrom(name).address(), status.address());
            ClErrors.check(status.get(ValueLayout.JAVA_INT, 0), "clCreateKernel " + name + " (" + family + ".cl)");
            return kernel;
        }
    }

    private String source(String family) {
        return sources.computeIfAbsent(family, f -> resource("common") + "\n" + resource(f));
    }

    private static String resource(String name) {
        try (InputStream in = Programs.class.getResourceAsStream(name + ".cl")) {
            if (in == null) {
                throw new IllegalStateException("OpenCL: kernel source " + name + ".cl is missing from the opencl module");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private long build(String family, String options, String forKernel) {
        String source = source(family);
        String fullOptions = "-cl-std=CL1.2 " + (runtime.correctlyRoundedDivideSqrt
                ? "-cl-fp32-correctly-rounded-divide-sqrt " : "") + options;
        Path cached = cacheFile(source, fullOptions);
        if (cached != null && Files.isRegularFile(cached)) {
            long program = fromBinary(cached, fullOptions);
            if (program != 0) {
                return program;
            }
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(ValueLayout.JAVA_INT);
            MemorySegment text = arena.allocateFrom(source);
            MemorySegment strings = arena.allocate(ValueLayout.JAVA_LONG);
            strings.set(ValueLayout.JAVA_LONG, 0, text.address());
            long program = nclCreateProgramWithSource(runtime.context, 1, strings.address(), 0, status.address());
            ClErrors.check(status.get(ValueLayout.JAVA_INT, 0), "clCreateProgramWithSource " + family + ".cl");
            int code = nclBuildProgram(program, 0, 0, arena.allocateFrom(fullOptions).address(), 0, 0);
            if (code != 0) {
                String log = buildLog(program);
                clReleaseProgram(program);
                throw new ClException(code, "OpenCL: building " + family + ".cl (for kernel " + forKernel + ", options "
                        + options + ") on " + runtime.deviceName + " failed with " + ClErrors.name(code) + ":\n" + log);
            }
            if (cached != null) {
                saveBinary(program, cached);
            }
            return program;
        }
    }

    private long fromBinary(Path file, String options) {
        try (Arena arena = Arena.ofConfined()) {
            byte[] bytes = Files.readAllBytes(file);
            MemorySegment binary = arena.allocate(Math.max(1, bytes.length));
            MemorySegment.copy(bytes, 0, binary, ValueLayout.JAVA_BYTE, 0, bytes.length);
            MemorySegment lengths = arena.allocate(ValueLayout.JAVA_LONG);
            lengths.set(ValueLayout.JAVA_LONG, 0, bytes.length);
            MemorySegment pointers = arena.allocate(ValueLayout.JAVA_LONG);
            pointers.set(ValueLayout.JAVA_LONG, 0, binary.address());
            MemorySegment devices = arena.allocate(ValueLayout.JAVA_LONG);
            devices.set(ValueLayout.JAVA_LONG, 0, runtime.device);
            MemorySegment status = arena.allocate(ValueLayout.JAVA_INT);
            long program = nclCreateProgramWithBinary(runtime.context, 1, devices.address(), lengths.address(),
                    pointers.address(), 0, status.address());
            if (status.get(ValueLayout.JAVA_INT, 0) != 0) {
                return 0;
            }
            if (nclBuildProgram(program, 0, 0, arena.allocateFrom(options).address(), 0, 0) != 0) {
                clReleaseProgram(program);
                return 0; // a stale or foreign binary: build from source instead
            }
            return program;
        } catch (IOException e) {
            return 0;
        }
    }

    private void saveBinary(long program, Path file) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(ValueLayout.JAVA_LONG);
            if (nclGetProgramInfo(program, CL_PROGRAM_BINARY_SIZES, 8, size.address(), 0) != 0) {
                return;
            }
            long n = size.get(ValueLayout.JAVA_LONG, 0);
            if (n <= 0) {
                return;
            }
            MemorySegment binary = arena.allocate(n);
            MemorySegment pointers = arena.allocate(ValueLayout.JAVA_LONG);
            pointers.set(ValueLayout.JAVA_LONG, 0, binary.address());
            if (nclGetProgramInfo(program, CL_PROGRAM_BINARIES, 8, pointers.address(), 0) != 0) {
                return;
            }
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.write(tmp, binary.toArray(ValueLayout.JAVA_BYTE));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // The disk cache only saves time: a read-only or full disk must not fail the op.
        }
    }

    private String buildLog(long program) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(ValueLayout.JAVA_LONG);
            nclGetProgramBuildInfo(program, runtime.device, CL_PROGRAM_BUILD_LOG, 0, 0, size.address());
            long n = size.get(ValueLayout.JAVA_LONG, 0);
            MemorySegment text = arena.allocate(Math.max(1, n));
            nclGetProgramBuildInfo(program, runtime.device, CL_PROGRAM_BUILD_LOG, n, text.address(), 0);
            return ClRuntime.cString(text, n);
        }
    }

    private Path cacheFile(String source, String options) {
        String root = System.getenv("TESSERA_CACHE");
        Path dir = root != null ? Path.of(root) : Path.of(System.getProperty("user.home"), ".cache", "tessera");
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : new String[] {source, options, runtime.platformName, runtime.deviceName,
                    runtime.driverVersion}) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return dir.resolve("opencl").resolve(HexFormat.of().formatHex(sha.digest()) + ".bin");
        } catch (NoSuchAlgorithmException e) {
            return null;
        }
    }
}
