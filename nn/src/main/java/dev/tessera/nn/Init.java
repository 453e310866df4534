package dev.tessera.nn;

import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;

/**
 * Initialisation schemes as in {@code torch.nn.init}, every draw from the given {@link Generator}
 * (no hidden randomness). Each returns a fresh F32 tensor of the given shape. Fans follow
 * PyTorch: for a weight [out, in, k...] fan-in is in * prod(k) and fan-out is out * prod(k).
 */
public final class Init {
    private Init() {}

    /** N(0, std^2) samples. */
    public static Tensor normal(Generator generator, double std, long... shape) {
        if (!(std >= 0)) {
            throw new IllegalArgumentException("Init.normal: std must be >= 0, got " + std);
        }
        return Tensor.randn(generator, shape).mul(std);
    }

    /** U(-bound, bound) samples. */
    public static Tensor uniform(Generator generator, double bound, long... shape) {
        if (!(bound >= 0)) {
            throw new IllegalArgumentException("Init.uniform: bound must be >= 0, got " + bound);
        }
        return Tensor.rand(generator, shape).mul(2 * bound).sub(bound);
    }

    /**
     * Kaiming (He) uniform for a leaky-ReLU of negative slope {@code a}, fan-in mode:
     * U(-b, b) with b = sqrt(2 / (1 + a^2)) * sqrt(3 / fanIn). With a = sqrt(5) (PyTorch's
     * Linear default) b = 1 / sqrt(fanIn).
     */
    public static Tensor kaimingUniform(Generator generator, double a, long... shape) {
        return uniform(generator, kaimingBound(a, fanIn("Init.kaimingUniform", shape)), shape);
    }

    /** The bound {@link #kaimingUniform} draws within. */
    public static double kaimingBound(double a, long fanIn) {
        return Math.sqrt(2 / (1 + a * a)) * Math.sqrt(3.0 / fanIn);
    }

    /** Xavier (Glorot) uniform: U(-b, b) with b = gain * sqrt(6 / (fanIn + fanOut)). */
    public static Tensor xavierUniform(Generator generator, double gain, long... shape) {
        long fanIn = fanIn("Init.xavierUniform", shape);
        long fanOut = shape[0] * receptiveField(shape);
        return uniform(generator, gain * Math.sqrt(6.0 / (fanIn + fanOut)), shape);
    }

    /** The fan-in of a weight of this shape (rank 2 or more); {@code op} names the caller in the error. */
    private static long fanIn(String op, long... shape) {
        if (shape.length < 2) {
            throw new IllegalArgumentException(op + ": fans need a weight of rank >= 2, got shape " + Shape.str(shape));
        }
        long fan = shape[1] * receptiveField(shape);
        if (fan == 0) {
            throw new IllegalArgumentException(op + ": fan-in is 0 for shape " + Shape.str(shape));
        }
        return fan;
    }

    private static long receptiveField(long[] shape) {
        long size = 1;
        for (int d = 2; d < shape.length; d++) {
            size *= shape[d];
        }
        return size;
    }
}
