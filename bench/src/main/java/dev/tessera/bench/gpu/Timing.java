package dev.tessera.bench.gpu;

import java.util.Arrays;

/**
 * Wall-clock times of one call, each bracketed by the device's synchronisation (on OpenCL,
 * {@code OpenClBackend.synchronize()}) so that a call's time includes all of its kernels and nothing
 * of the previous call's. The same protocol as torch_peer.py: {@link #WARMUP_CALLS} untimed calls,
 * then as many timed calls as fit in the case's time (between {@link #MIN_REPS} and {@link #MAX_REPS}).
 */
record Timing(double medianMs, double minMs, double maxMs, int reps) {
    static final int WARMUP_CALLS = 3;
    static final int MIN_REPS = 5;
    static final int MAX_REPS = 30;

    static Timing measure(Runnable call, double caseSeconds, Runnable sync) {
        double estimate = Double.MAX_VALUE;
        for (int i = 0; i < WARMUP_CALLS; i++) {
            estimate = Math.min(estimate, once(call, sync));
        }
        int reps = (int) Math.max(MIN_REPS, Math.min(MAX_REPS, Math.round(caseSeconds * 1e3 / estimate)));
        double[] ms = new double[reps];
        for (int i = 0; i < reps; i++) {
            ms[i] = once(call, sync);
        }
        Arrays.sort(ms);
        double median = reps % 2 == 1 ? ms[reps / 2] : (ms[reps / 2 - 1] + ms[reps / 2]) / 2;
        return new Timing(median, ms[0], ms[reps - 1], reps);
    }

    private static double once(Runnable call, Runnable sync) {
        sync.run();
        long start = System.nanoTime();
        call.run();
        sync.run();
        return (System.nanoTime() - start) / 1e6;
    }
}
