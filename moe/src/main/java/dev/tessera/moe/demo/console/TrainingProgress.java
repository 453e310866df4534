package dev.tessera.moe.demo.console;

import java.io.Console;
import java.io.PrintStream;
import java.util.function.LongSupplier;

/**
 * Shows a training run's progress: step, loss, tokens/s and the time left. On a terminal it is a
 * progress bar (me.tongfei:progressbar, on standard error); elsewhere (CI, a pipe, a file) it is
 * a plain line every twentieth of the run, on standard output.
 */
public interface TrainingProgress extends AutoCloseable {
    /** Reports that {@code step} is done, with its loss and the training speed so far. */
    void update(long step, double loss, double tokensPerSecond);

    /** Ends the display (the bar's last redraw and line break). */
    @Override
    void close();

    /**
     * The display for this process's output: a bar when standard input and output are a terminal,
     * plain lines otherwise. Steps after {@code startStep} (0, or a resumed run's step) up to
     * {@code endStep} are to come.
     */
    static TrainingProgress forConsole(long startStep, long endStep) {
        // Since JDK 22 System.console() can exist when the streams are redirected; isTerminal() says whether they are not
        Console console = System.console();
        return console != null && console.isTerminal()
                ? new ProgressBarDisplay(startStep, endStep)
                : plainLines(startStep, endStep, System.out, System::nanoTime);
    }

    /** Plain lines on {@code out}, timed by {@code nanoTime} (a clock in nanoseconds, e.g. System::nanoTime). */
    static TrainingProgress plainLines(long startStep, long endStep, PrintStream out, LongSupplier nanoTime) {
        return new PlainLinesProgress(startStep, endStep, out, nanoTime);
    }
}
