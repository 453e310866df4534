package dev.tessera.tests.moe.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.moe.demo.console.TrainingProgress;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Off a terminal, progress is a plain line every twentieth of the run, with the time left from the pace so far. */
class TrainingProgressTest {
    private static final long SECOND = 1_000_000_000L;

    private static List<String> run(long start, long end) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong clock = new AtomicLong(5 * SECOND);
        try (TrainingProgress progress = TrainingProgress.plainLines(start, end, new PrintStream(bytes, true,
                StandardCharsets.UTF_8), clock::get)) {
            for (long step = start + 1; step <= end; step++) {
                clock.addAndGet(SECOND); // one second a step
                progress.update(step, 10.0 / step, 1234.5);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void aLineEveryTwentiethWithStepLossSpeedAndEta() {
        List<String> lines = run(0, 200);
        assertEquals(21, lines.size(), "the first step, then every 10th");
        assertEquals("step 1/200  loss 10.0000  1,235 tokens/s  eta 3m19s", lines.get(0));
        assertEquals("step 100/200  loss 0.1000  1,235 tokens/s  eta 1m40s", lines.get(10));
        assertEquals("step 200/200  loss 0.0500  1,235 tokens/s  eta 0s", lines.get(20));
    }

    @Test
    void aResumedOrShortRun() {
        List<String> resumed = run(150, 160);
        assertEquals(10, resumed.size(), "ten steps left: every step");
        assertEquals("step 151/160  loss 0.0662  1,235 tokens/s  eta 9s", resumed.get(0));
        List<String> odd = run(0, 45);
        assertEquals("step 45/45  loss 0.2222  1,235 tokens/s  eta 0s", odd.getLast(), "the last step is always shown");
        assertEquals(1 + 22 + 1, odd.size(), "steps 1; 2, 4, ..., 44; and 45");
        assertThrows(IllegalArgumentException.class, () -> TrainingProgress.plainLines(5, 4, System.out, System::nanoTime));
    }
}
