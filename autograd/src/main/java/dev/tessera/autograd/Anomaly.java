package dev.tessera.autograd;

import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Anomaly mode: while it is on, every recorded op remembers where it was called, and backward
 * stops at the first op whose derivative produced a NaN or an infinity, naming it and the
 * user's line that called it. The switch is global (all threads); it is off by default because
 * it costs a stack walk per recorded op and a pass over every gradient.
 *
 * <p>The user's line is the first frame outside Tessera's library packages (tensor, autograd,
 * nn, moe, opencl); when a layer made the call, its frame is named too.
 */
public final class Anomaly {
    private static final List<String> LIBRARY = List.of("dev.tessera.tensor.", "dev.tessera.autograd.",
            "dev.tessera.nn.", "dev.tessera.moe.", "dev.tessera.opencl.");
    /** Ops are recorded from tensor; the frames above it are the recorder's and the op's own. */
    private static final List<String> RECORDING = List.of("dev.tessera.tensor.", "dev.tessera.autograd.");
    /** How far up to look for a frame outside the library before giving up. */
    private static final int MAX_FRAMES = 64;
    private static final StackWalker WALKER = StackWalker.getInstance();

    private static volatile boolean enabled;

    private Anomaly() {}

    public static void enable(boolean on) {
        enabled = on;
    }

    public static boolean isEnabled() {
        return enabled;
    }

    /**
     * Where the op about to be recorded was called, when anomaly mode is on (otherwise null): the
     * frames from the first outside tensor and autograd up to the first outside the library.
     */
    static StackTraceElement[] creationSite() {
        return enabled ? WALKER.walk(Anomaly::callerFrames) : null;
    }

    private static StackTraceElement[] callerFrames(Stream<StackWalker.StackFrame> frames) {
        List<StackTraceElement> kept = new ArrayList<>();
        Iterator<StackWalker.StackFrame> it = frames.dropWhile(f -> inside(RECORDING, f.getClassName()))
                .limit(MAX_FRAMES).iterator();
        while (it.hasNext()) {
            StackTraceElement frame = it.next().toStackTraceElement();
            kept.add(frame);
            if (!inside(LIBRARY, frame.getClassName())) {
                break;
            }
        }
        return kept.toArray(StackTraceElement[]::new);
    }

    /** Throws when anomaly mode is on and {@code gradient}, which {@code node} gave its input {@code i}, is not all finite. */
    static void check(Node node, int i, Tensor gradient) {
        if (!enabled || gradient.numel() == 0) {
            return;
        }
        if (Double.isFinite(gradient.sum().item()) || allFinite(gradient)) {
            return;
        }
        throw new ArithmeticException("anomaly: the backward of " + node.opName() + " produced a NaN or infinite"
                + " gradient for its input " + i + "; the op was called " + where(node.creation()));
    }

    private static String where(StackTraceElement[] site) {
        if (site == null) {
            return "before anomaly mode was turned on (turn it on before the forward pass to see where)";
        }
        if (site.length == 0) {
            return "from a thread with no frame outside tensor and autograd";
        }
        StackTraceElement user = site[site.length - 1];
        StackTraceElement direct = site[0];
        return "at " + user + (direct == user ? "" : ", through " + direct);
    }

    /** A finite sum proves it cheaply; an overflowing one needs this look at each element. */
    private static boolean allFinite(Tensor gradient) {
        for (double v : gradient.toDoubleArray()) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    private static boolean inside(List<String> packages, String className) {
        for (String p : packages) {
            if (className.startsWith(p)) {
                return true;
            }
        }
        return false;
    }
}
