package dev.tessera.opencl;

import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;

/** Generator's Philox streams drawn on the device (random.cl), so dropout masks never cross the bus. */
final class RandomKernels {
    private final ClRuntime runtime;

    RandomKernels(ClRuntime runtime) {
        this.runtime = runtime;
    }

    void fill(Generator.Distribution distribution, long seed, long start, long low, long high, Tensor out) {
        long n = out.numel();
        if (n == 0) {
            return;
        }
        String kernel = switch (distribution) {
            case UNIFORM -> "uniform";
            case NORMAL -> "normal";
            case INTEGERS -> "integers";
        };
        Launch launch = new Launch(runtime, "random", "", kernel).buffer(out).i64(n).i64(start)
                .i32((int) seed).i32((int) (seed >>> 32));
        if (distribution == Generator.Distribution.INTEGERS) {
            launch.i64(low).i64(high - low);
        }
        launch.run1d(Grid.items(n), Grid.GROUP);
    }
}
