package dev.tessera.tensor;

/** The argument checks ops share; each failure names the op and what it got. */
final class Checks {
    private Checks() {}

    static void sameDevice(String op, Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t.device() != tensors[0].device()) {
                throw new IllegalArgumentException(op + ": tensors are on different devices (" + tensors[0].device()
                        + " and " + t.device() + "); move one with .to(device)");
            }
        }
    }

    static void sameDtype(String op, Tensor a, Tensor b) {
        if (a.dtype() != b.dtype()) {
            throw new IllegalArgumentException(op + ": dtypes differ (" + a.dtype() + " " + Shape.str(a.shape())
                    + " and " + b.dtype() + " " + Shape.str(b.shape()) + "); convert one with .to(dtype)");
        }
    }

    static void floating(String op, Tensor t) {
        if (!t.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": needs a floating tensor (F32, F64, BF16, F16), got "
                    + t.dtype() + " of shape " + Shape.str(t.shape()));
        }
    }

    static void numeric(String op, Tensor t) {
        if (t.dtype() == DType.BOOL) {
            throw new IllegalArgumentException(op + ": needs a numeric tensor, got BOOL of shape " + Shape.str(t.shape()));
        }
    }

    static void index(String op, Tensor t) {
        if (!t.dtype().isInteger()) {
            throw new IllegalArgumentException(op + ": indices must be I32 or I64, got " + t.dtype() + " of shape "
                    + Shape.str(t.shape()));
        }
    }

    static void rank(String op, Tensor t, int expected, String what) {
        if (t.rank() != expected) {
            throw new IllegalArgumentException(op + ": " + what + " must have " + expected + " dims, got shape "
                    + Shape.str(t.shape()));
        }
    }
}
