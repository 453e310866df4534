package dev.tessera.bench.peers;

import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's resident memory as Linux reports it in {@code /proc/self/status}: VmRSS (now) and
 * VmHWM (the peak since start or since the last {@link #resetPeak}). The Python driver reads the
 * same two fields of its own process, so both sides' peaks are measured alike.
 */
final class ProcessMemory {
    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private ProcessMemory() {}

    /** VmRSS in bytes. */
    static long residentBytes() throws IOException {
        return field("VmRSS");
    }

    /** VmHWM in bytes. */
    static long peakResidentBytes() throws IOException {
        return field("VmHWM");
    }

    /**
     * Hands the C heap's free pages back to the kernel (glibc's {@code malloc_trim(0)}), so that
     * memory a call takes from earlier frees counts as growth; false where there is no such call.
     */
    static boolean trimMalloc() {
        Linker linker = Linker.nativeLinker();
        var trim = linker.defaultLookup().find("malloc_trim");
        if (trim.isEmpty()) {
            return false;
        }
        MethodHandle call = linker.downcallHandle(trim.get(), FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG));
        try {
            int released = (int) call.invokeExact(0L);
            return released >= 0;
        } catch (Throwable failure) {
            throw new IllegalStateException("malloc_trim failed", failure);
        }
    }

    /** Sets VmHWM back to VmRSS (writing 5 to clear_refs, Linux 4.0 on); false where the kernel refuses. */
    static boolean resetPeak() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    private static long field(String name) throws IOException {
        for (String line : Files.readAllLines(STATUS)) {
            if (line.startsWith(name + ":")) {
                String[] parts = line.substring(name.length() + 1).trim().split("\\s+");
                return Long.parseLong(parts[0]) * 1024; // the kernel prints kB
            }
        }
        throw new IOException(STATUS + " has no " + name + " line");
    }
}
