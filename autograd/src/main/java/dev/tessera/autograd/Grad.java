package dev.tessera.autograd;

/**
 * Grad mode, per thread: while it is off, ops are not recorded. Use the scopes with
 * try-with-resources: {@code try (var scope = Grad.off()) { ... }} restores the previous mode,
 * so scopes nest. A new thread starts with grad mode on, whatever its parent's mode.
 */
public final class Grad {
    private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> true);

    private Grad() {}

    /** A scope that restores the previous grad mode of the thread that opened it when closed. */
    public static final class Scope implements AutoCloseable {
        private final boolean previous;
        private final Thread owner = Thread.currentThread();

        private Scope(boolean enabled) {
            previous = ENABLED.get();
            ENABLED.set(enabled);
        }

        /** Restores the mode; must run on the thread that opened the scope, whose mode it changed. */
        @Override
        public void close() {
            if (Thread.currentThread() != owner) {
                throw new IllegalStateException("Grad scope: opened on thread " + owner.getName()
                        + " but closed on " + Thread.currentThread().getName() + "; grad mode is per thread");
            }
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
