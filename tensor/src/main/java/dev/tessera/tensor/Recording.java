package dev.tessera.tensor;

import java.util.ServiceLoader;

/** Hands ops to autograd when its module is installed, grad mode is on and an input requires grad. */
final class Recording {
    /** The autograd module's provider, or null when it is not on the class path. */
    static final AutogradProvider AUTOGRAD = ServiceLoader.load(AutogradProvider.class).findFirst().orElse(null);

    private Recording() {}

    /** Records a one-output op and returns its output. */
    static Tensor record(Op op, OpArgs args, Tensor output, Tensor... inputs) {
        record(op, args, inputs, output);
        return output;
    }

    static void record(Op op, OpArgs args, Tensor[] inputs, Tensor... outputs) {
        if (AUTOGRAD != null && anyFloating(outputs) && anyRequiresGrad(inputs) && AUTOGRAD.isEnabled()) {
            AUTOGRAD.record(op, args, inputs, outputs);
        }
    }

    /** Integer and BOOL outputs (indices, comparisons) carry no gradient. */
    private static boolean anyFloating(Tensor[] outputs) {
        for (Tensor t : outputs) {
            if (t.dtype().isFloating()) {
                return true;
            }
        }
        return false;
    }

    private static boolean anyRequiresGrad(Tensor[] inputs) {
        for (Tensor t : inputs) {
            if (t.requiresGrad()) {
                return true;
            }
        }
        return false;
    }
}
