package dev.tessera.autograd;

import dev.tessera.tensor.Tensor;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Anomaly mode: while it is on, every recorded op remembers where it was called, and backward
 * stops at the first op whose derivative produced a NaN or an infinity, naming it and that place.
 * Off by default: it costs a stack walk per op and a pass over every gradient.
 */
public final class Anomaly {
    private static volatile boolean enabled;

    private Anomaly() {}

    public static void enable(boolean on) {
        enabled = on;
    }

    public static boolean isEnabled() {
        return enabled;
    }

    /** The caller's stack, when anomaly mode is on, for the node about to be created. */
    static StackTraceElement[] creationSite() {
        return enabled ? new Throwable().getStackTrace() : null;
    }

    static void check(Node node, Tensor gradient) {
        if (!enabled || gradient.numel() == 0) {
            return;
        }
        double total = gradient.sum().item();
        if (Double.isFinite(total) || allFinite(gradient)) {
            return;
        }
        StackTraceElement[] site = node.creation();
        String where = site == null ? "(made before anomaly mode was on)" : Arrays.stream(site)
                .filter(e -> !e.getClassName().startsWith("dev.tessera.tensor.") && !e.getClassName().startsWith("dev.tessera.autograd."))
                .limit(4).map(StackTraceElement::toString).collect(Collectors.joining("\n    at "));
        throw new ArithmeticException("anomaly: the backward of " + node.op().opName()
                + " produced a NaN or infinite gradient; the op was called at\n    at " + where);
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
}
