package dev.tessera.tests.autograd.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.tessera.tensor.Tensor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The engine walks graphs without recursion: a chain far deeper than a small stack allows backs up fine. */
class DeepChainTest {
    private static final int OPS = 10_000;
    /** Small enough that a recursive walk of 10,000 nodes could not fit. */
    private static final long STACK_BYTES = 128 * 1024;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void tenThousandChainedOpsBackOnASmallStack() throws Exception {
        Tensor x = Tensor.full(3, 2).requiresGrad(true);
        Tensor two = Tensor.full(2, 2);
        Tensor half = Tensor.full(0.5, 2);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = Thread.ofPlatform().stackSize(STACK_BYTES).unstarted(() -> {
            try {
                Tensor h = x;
                for (int i = 0; i < OPS; i++) {
                    h = h.mul(i % 2 == 0 ? two : half); // the product of the factors is exactly 1 every two ops
                }
                h.sum().backward();
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        worker.start();
        worker.join();
        assertNull(failure.get(), () -> String.valueOf(failure.get()));
        assertEquals(1.0, x.grad().toDoubleArray()[0]);
        assertEquals(1.0, x.grad().toDoubleArray()[1]);
    }
}
