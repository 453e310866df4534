package dev.tessera.tests.autograd.rules;

import dev.tessera.tensor.Device;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.util.List;

/**
 * One call of an op for the gradient checks: its floating inputs, the call (which builds any index
 * or mask it needs on the device it is given), how far to step each value for central
 * differences, and the seed of the weights that turn its outputs into a scalar loss.
 */
record GradCase(Op op, String params, List<GradInput> inputs, Call call, Step step, long weightSeed) {
    /** The op applied to the built inputs; returns every output (integer ones are ignored by the loss). */
    interface Call {
        List<Tensor> apply(List<Tensor> inputs, Device device);
    }

    /** The central-difference step for an input value. */
    enum Step {
        /** 1e-6 relative (absolute below 1): where the truncation and rounding errors of the difference balance in F64. */
        RELATIVE,
        /** 2^-10: inputs on a grid of 2^-10 within [-4, 4] stay exact in F32 when stepped, so a cast through F32 is exact. */
        F32_GRID;

        double at(double value) {
            return this == RELATIVE ? 1e-6 * Math.max(1, Math.abs(value)) : 0x1p-10;
        }
    }

    @Override
    public String toString() {
        return op.opName() + "(" + params + ") " + inputs + " weights seed " + weightSeed;
    }
}
