package dev.tessera.moe.demo.console;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress as plain lines, for output that is not a terminal: the first step, then every
 * twentieth of the run, then the last step, each with the time left estimated from the pace so far.
 */
final class PlainLinesProgress implements TrainingProgress {
    /** About this many lines per run. */
    static final int LINES = 20;

    private final long startStep;
    private final long endStep;
    private final long every;
    private final PrintStream out;
    private final LongSupplier nanoTime;
    private final long startNanos;

    PlainLinesProgress(long startStep, long endStep, PrintStream out, LongSupplier nanoTime) {
        if (startStep < 0 || endStep < startStep) {
            throw new IllegalArgumentException("TrainingProgress: steps " + startStep + " to " + endStep
                    + ": need 0 <= start <= end");
        }
        this.startStep = startStep;
        this.endStep = endStep;
        this.every = Math.max(1, (endStep - startStep) / LINES);
        this.out = out;
        this.nanoTime = nanoTime;
        this.startNanos = nanoTime.getAsLong();
    }

    @Override
    public void update(long step, double loss, double tokensPerSecond) {
        long done = step - startStep;
        if (done != 1 && done % every != 0 && step != endStep) {
            return;
        }
        long elapsed = nanoTime.getAsLong() - startNanos;
        String eta = done <= 0 ? "?" : Eta.format(Duration.ofNanos(Math.round((double) elapsed / done * (endStep - step))));
        out.println(String.format(Locale.ROOT, "step %d/%d  loss %.4f  %,.0f tokens/s  eta %s", step, endStep, loss,
                tokensPerSecond, eta));
        out.flush();
    }

    @Override
    public void close() {
        out.flush();
    }
}
