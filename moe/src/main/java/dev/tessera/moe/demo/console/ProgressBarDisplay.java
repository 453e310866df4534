package dev.tessera.moe.demo.console;

import java.time.Duration;
import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;

/** The terminal's progress bar: steps done, elapsed and ETA from the library, loss and tokens/s as its message. */
final class ProgressBarDisplay implements TrainingProgress {
    private final ProgressBar bar;

    ProgressBarDisplay(long startStep, long endStep) {
        this.bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(endStep)
                .startsFrom(startStep, Duration.ZERO).setUnit(" steps", 1).build();
    }

    @Override
    public void update(long step, double loss, double tokensPerSecond) {
        bar.stepTo(step);
        bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f  %,.0f tok/s", loss, tokensPerSecond));
    }

    @Override
    public void close() {
        bar.close();
    }
}
