package dev.tessera.tensor;

import java.util.Arrays;

/** RMSNorm's front end: checks the arguments, allocates the outputs, runs the backend and records the forward. */
final class RmsNorm {
    private static final String FORWARD = Op.RMS_NORM.opName();
    private static final String BACKWARD = Op.RMS_NORM_BACKWARD.opName();

    private RmsNorm() {}

    /** y = weight * x / sqrt(mean(x^2, last dim) + eps); records y and the saved rstd. */
    static Tensor forward(Tensor x, Tensor weight, double eps) {
        checkInput(FORWARD, x, weight);
        if (!(eps >= 0 && eps < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(FORWARD + ": eps must be finite and >= 0, got " + eps);
        }
        Tensor y = x.emptyLike(x.dtype(), x.shape());
        Tensor rstd = x.emptyLike(statisticsType(x), rowShape(x));
        x.device().backend().rmsNorm(x, weight, eps, y, rstd);
        Recording.record(Op.RMS_NORM, new OpArgs.RmsNorm(eps), new Tensor[] {x, weight}, y, rstd);
        return y;
    }

    /** {gradX, gradWeight} from the output's gradient and the forward's x, weight and rstd; not recorded. */
    static Tensor[] backward(Tensor gradOut, Tensor x, Tensor weight, Tensor rstd) {
        checkInput(BACKWARD, x, weight);
        Checks.sameDevice(BACKWARD, x, gradOut, rstd);
        Checks.sameDtype(BACKWARD, x, gradOut);
        if (!Arrays.equals(gradOut.shape(), x.shape())) {
            throw new IllegalArgumentException(BACKWARD + ": gradOut has shape " + Shape.str(gradOut.shape())
                    + ", x has " + Shape.str(x.shape()) + "; they must be equal");
        }
        DType stats = statisticsType(x);
        if (rstd.dtype() != stats || !Arrays.equals(rstd.shape(), rowShape(x))) {
            throw new IllegalArgumentException(BACKWARD + ": rstd must be " + stats + " " + Shape.str(rowShape(x))
                    + " for x " + x.dtype() + " " + Shape.str(x.shape()) + ", got " + rstd.dtype() + " "
                    + Shape.str(rstd.shape()));
        }
        Tensor gradX = x.emptyLike(x.dtype(), x.shape());
        Tensor gradWeight = x.emptyLike(weight.dtype(), weight.shape());
        x.device().backend().rmsNormBackward(gradOut, x, weight, rstd, gradX, gradWeight);
        return new Tensor[] {gradX, gradWeight};
    }

    /** x floating, of rank >= 1 with a non-empty last dim; weight 1-D of that size, x's dtype and device. */
    private static void checkInput(String op, Tensor x, Tensor weight) {
        Checks.floating(op, x);
        Checks.sameDevice(op, x, weight);
        if (x.rank() == 0 || x.shape()[x.rank() - 1] == 0) {
            throw new IllegalArgumentException(op + ": x needs a non-empty last dim to normalise over, got shape "
                    + Shape.str(x.shape()));
        }
        long n = x.shape()[x.rank() - 1];
        if (weight.rank() != 1 || weight.shape()[0] != n) {
            throw new IllegalArgumentException(op + ": weight must be 1-D of size " + n + " (x's last dim), got shape "
                    + Shape.str(weight.shape()) + " for x of shape " + Shape.str(x.shape()));
        }
        Checks.sameDtype(op, x, weight);
    }

    /** Saved statistics are F32, F64 for an F64 x. */
    private static DType statisticsType(Tensor x) {
        return x.dtype() == DType.F64 ? DType.F64 : DType.F32;
    }

    private static long[] rowShape(Tensor x) {
        return Arrays.copyOf(x.shape(), x.rank() - 1);
    }
}
