package dev.tessera.tests.autograd.engine;

import static dev.tessera.tests.autograd.engine.Graphs.assertThrowsMentioning;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.autograd.Grad;
import dev.tessera.tensor.Tensor;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Grad mode: scopes that turn recording off and on, nest, restore, and belong to one thread. */
class GradModeTest {
    private static boolean recorded(Tensor x) {
        Tensor y = x.mul(x);
        return !y.isLeaf();
    }

    @Test
    void offRecordsNothing() {
        Tensor x = Tensor.ones(3).requiresGrad(true);
        Tensor y;
        try (var off = Grad.off()) {
            y = x.mul(x).relu().sum();
        }
        assertTrue(y.isLeaf());
        assertFalse(y.requiresGrad());
        assertNull(y.gradNode());
        assertThrowsMentioning(IllegalArgumentException.class, y::backward, "does not require grad", "grad mode off");
    }

    @Test
    void scopesNestAndRestoreThePreviousMode() {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        assertTrue(Grad.isEnabled());
        try (var off = Grad.off()) {
            assertFalse(recorded(x));
            try (var on = Grad.on()) {
                assertTrue(recorded(x));
                try (var offAgain = Grad.off()) {
                    assertFalse(recorded(x));
                }
                assertTrue(recorded(x));
            }
            assertFalse(recorded(x), "closing the inner scope restores off, not the default");
        }
        assertTrue(recorded(x));
    }

    @Test
    void aScopeRestoresEvenWhenItsBodyThrows() {
        try (var off = Grad.off()) {
            throw new IllegalStateException("boom");
        } catch (IllegalStateException expected) {
            assertTrue(Grad.isEnabled());
        }
    }

    @Test
    void gradModeIsPerThread() throws Exception {
        Tensor x = Tensor.ones(2).requiresGrad(true);
        CountDownLatch otherIsOff = new CountDownLatch(1);
        CountDownLatch mainChecked = new CountDownLatch(1);
        FutureTask<Boolean> otherRecorded = onNewThread(() -> {
            try (var off = Grad.off()) {
                otherIsOff.countDown();
                await(mainChecked);
                return recorded(x);
            }
        });
        try (var offHere = Grad.off()) {
            await(otherIsOff);
            // Both threads are inside an off scope now; a fresh thread still starts with grad on.
            boolean freshThreadRecords = onNewThread(() -> recorded(x)).get(10, TimeUnit.SECONDS);
            assertTrue(freshThreadRecords, "a new thread starts with grad mode on");
        }
        assertTrue(recorded(x), "the other thread's off scope does not reach this one");
        mainChecked.countDown();
        assertFalse(otherRecorded.get(10, TimeUnit.SECONDS));
    }

    @Test
    void aScopeClosedOnAnotherThreadIsRefused() throws Exception {
        Grad.Scope off = Grad.off();
        try {
            Throwable thrown = onNewThread(() -> {
                try {
                    off.close();
                    return null;
                } catch (IllegalStateException e) {
                    return e;
                }
            }).get(10, TimeUnit.SECONDS);
            assertTrue(thrown != null && thrown.getMessage().contains("per thread"), String.valueOf(thrown));
            assertFalse(Grad.isEnabled(), "this thread's scope is still open");
        } finally {
            off.close();
        }
        assertTrue(Grad.isEnabled());
    }

    @Test
    void backwardRecordsNothing() {
        Tensor x = Tensor.ones(3).requiresGrad(true);
        x.mul(x).sum().backward();
        assertTrue(x.grad().isLeaf());
        assertFalse(x.grad().requiresGrad());
        assertTrue(Grad.isEnabled(), "backward restores grad mode");
        assertEquals(3, x.grad().numel());
    }

    /** Runs {@code task} on a thread of its own (a shared pool could queue it behind a waiting task). */
    private static <T> FutureTask<T> onNewThread(Callable<T> task) {
        FutureTask<T> future = new FutureTask<>(task);
        Thread.ofPlatform().start(future);
        return future;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("timed out");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
