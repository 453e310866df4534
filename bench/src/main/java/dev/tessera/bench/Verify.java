package dev.tessera.bench;

import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Checks a benchmark's result once, in its setup, before it is timed: a fast wrong kernel measures
 * nothing. The expected values come from the reference backend (the test suite's oracle). The
 * tolerances are loose on purpose: the property tests own accuracy; this catches broken kernels.
 */
public final class Verify {
    private Verify() {}

    /** A copy of {@code x} on the reference backend, so that ops on it give the expected values. */
    public static Tensor reference(Tensor x) {
        return x.to(Device.reference());
    }

    /** The simple name of the benchmark method a trial runs, so that a setup checks only what is timed. */
    static String method(BenchmarkParams params) {
        String name = params.getBenchmark();
        return name.substring(name.lastIndexOf('.') + 1);
    }

    /** Throws unless both have one shape and each element lies within {@code atol + rtol * |expected|}. */
    public static void close(String what, Tensor actual, Tensor expected, double atol, double rtol) {
        if (!Arrays.equals(actual.shape(), expected.shape())) {
            throw new IllegalStateException(what + ": result has shape " + Arrays.toString(actual.shape())
                    + ", expected " + Arrays.toString(expected.shape()));
        }
        close(what, actual.toFloatArray(), expected, atol, rtol);
    }

    /** Throws unless the row-major values of {@code actual} lie within {@code atol + rtol * |expected|}. */
    public static void close(String what, float[] actual, Tensor expected, double atol, double rtol) {
        float[] want = expected.toFloatArray();
        if (actual.length != want.length) {
            throw new IllegalStateException(what + ": result has " + actual.length + " elements, expected " + want.length);
        }
        for (int i = 0; i < want.length; i++) {
            double diff = Math.abs((double) actual[i] - want[i]);
            if (!(diff <= atol + rtol * Math.abs(want[i]))) {
                throw new IllegalStateException(what + ": element " + i + " is " + actual[i] + ", expected " + want[i]
                        + " (atol " + atol + ", rtol " + rtol + ")");
            }
        }
    }

    /** {@link #close(String, float[], Tensor, double, double)} for integer results such as indices. */
    public static void close(String what, int[] actual, Tensor expected) {
        float[] values = new float[actual.length];
        for (int i = 0; i < actual.length; i++) {
            values[i] = actual[i];
        }
        close(what, values, expected, 0, 0);
    }
}
