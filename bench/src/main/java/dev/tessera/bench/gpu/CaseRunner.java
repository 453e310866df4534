package dev.tessera.bench.gpu;

import dev.tessera.opencl.OpenClBackend;
import dev.tessera.tensor.Device;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Supplier;

/**
 * Runs each case at once, in the order given: makes its inputs, checks its result, times it, and
 * writes one JSON line (stdout and the output file, flushed, so a run cut short keeps what it did).
 * A case never ends the run: a kernel the backend lacks is "not run" with the backend's reason,
 * any other error is "failed", and once the time budget is spent the remaining cases are "not run".
 */
final class CaseRunner implements AutoCloseable {
    /** A case ready to run: {@code check} throws when the result is wrong; {@code call} is what is timed. */
    record Prepared(Runnable check, Runnable call) {}

    private final Device device;
    private final Runnable sync;
    private final int pass;
    private final double caseSeconds;
    private final long deadlineNanos;
    private final double budgetSeconds;
    private final String only;
    private final Writer file;
    private boolean anyFailed;
    private final PrintStream log = System.err;

    /** Cases of kernels not starting with {@code only} are left out; null output: stdout alone. */
    CaseRunner(Device device, int pass, double caseSeconds, double budgetSeconds, String only, Path out)
            throws IOException {
        this.device = device;
        // The cpu backends finish each op before returning; OpenCL enqueues.
        this.sync = device == Device.opencl() ? OpenClBackend::synchronize : () -> {};
        this.pass = pass;
        this.only = only;
        this.caseSeconds = caseSeconds;
        this.budgetSeconds = budgetSeconds;
        this.deadlineNanos = System.nanoTime() + (long) (budgetSeconds * 1e9);
        this.file = out == null ? null : Files.newBufferedWriter(out, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The device the cases run on: opencl, or cpu to try the benchmark itself without OpenCL. */
    Device device() {
        return device;
    }

    /** A JSON line of this side and pass, for records other than cases (the device). */
    JsonLine record(String type) {
        return new JsonLine().put("side", "tessera").put("pass", pass).put("type", type);
    }

    void write(JsonLine line) {
        String text = line.toString();
        System.out.println(text);
        System.out.flush();
        if (file != null) {
            try {
                file.write(text + "\n");
                file.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Whether time is left for another case. */
    boolean hasTime() {
        return System.nanoTime() < deadlineNanos;
    }

    /** Prepares, checks and times one case; {@code gflop} is the work of one call. */
    void run(String kernel, String size, double gflop, Supplier<Prepared> prepare) {
        if (!kernel.startsWith(only)) {
            return;
        }
        JsonLine line = record("case").put("kernel", kernel).put("size", size).put("gflop", gflop);
        if (!hasTime()) {
            write(line.put("status", "not run").put("reason", "time budget of " + budgetSeconds + " s spent"));
            return;
        }
        log.println("[tessera] " + kernel + " " + size);
        String stage = "inputs";
        try {
            Prepared case_ = prepare.get();
            stage = "check";
            case_.check().run();
            stage = "timing";
            Timing t = Timing.measure(case_.call(), caseSeconds, sync);
            line.put("status", "ok").put("check", "passed").put("ms_median", t.medianMs()).put("ms_min", t.minMs())
                    .put("ms_max", t.maxMs()).put("reps", t.reps()).put("gflops", gflop / (t.medianMs() / 1e3));
        } catch (RuntimeException | OutOfMemoryError e) {
            String missing = unsupported(e);
            if (missing != null) {
                line.put("status", "not run").put("reason", missing);
            } else {
                line.put("status", "failed").put("reason", stage + ": " + e);
                anyFailed = true;
                e.printStackTrace(log);
            }
        }
        write(line);
    }

    /** Whether a case failed: a wrong result, or an error other than a missing kernel. */
    boolean anyFailed() {
        return anyFailed;
    }

    /** The message of the UnsupportedOperationException behind {@code e}, or null when there is none. */
    private static String unsupported(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnsupportedOperationException) {
                return String.valueOf(t.getMessage());
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        if (file != null) {
            file.close();
        }
    }

    /** A value made on first use and kept: inputs shared by the cases of one group (made only if one runs). */
    static final class Memo<T> implements Supplier<T> {
        private final Supplier<T> make;
        private T value;

        Memo(Supplier<T> make) {
            this.make = make;
        }

        @Override
        public T get() {
            if (value == null) {
                value = make.get();
            }
            return value;
        }
    }
}
