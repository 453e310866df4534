package dev.tessera.autograd;

/**
 * Grad mode, per thread: while it is off, ops are not recorded. Use the scopes with
 * try-with-resources: {@code try (var scope = Grad.off()) { ... }} restores the previous mode.
 */
public final class Grad {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> true);

    private Grad() {}

    /** A scope that restores the previous grad mode when closed. */
    public static final class Scope implements AutoCloseable {
        private final boolean previous;

        private Scope(boolean enabled) {
            previous = ENABLED.get();
            ENABLED.set(enabled);
        }

        @Override
        public void close() {
            ENABLED.set(previous);
        }
    }

    /** Turns recording off on this thread until the scope closes. */
    public static Scope off() {
        return new Scope(false);
    }

    /** Turns recording on on this thread until the scope closes. */
    public static Scope on() {
        return new Scope(true);
    }

    public static boolean isEnabled() {
        return ENABLED.get();
    }
}
