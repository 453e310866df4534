package dev.tessera.nn.optim;

import dev.tessera.autograd.Grad;
import dev.tessera.nn.Parameter;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import java.util.List;

/** Gradient clipping. */
public final class GradClip {
    private GradClip() {}

    /**
     * Scales every gradient by {@code maxNorm / (norm + 1e-6)} when that is below 1, where
     * {@code norm} is the 2-norm of all the gradients taken together (PyTorch's
     * {@code clip_grad_norm_}); parameters without a gradient are skipped. The norm is summed in
     * F64. A norm that is not finite leaves the gradients as they are, so the caller can see it
     * and skip the step. Returns the norm before clipping.
     */
    public static double clipByGlobalNorm(List<Parameter> parameters, double maxNorm) {
        if (!(maxNorm > 0) || Double.isInfinite(maxNorm)) {
            throw new IllegalArgumentException("GradClip.clipByGlobalNorm: maxNorm must be finite and > 0, got " + maxNorm);
        }
        try (Grad.Scope off = Grad.off()) {
            double sumOfSquares = 0;
            for (Parameter p : parameters) {
                Tensor grad = p.grad();
                if (grad != null) {
                    sumOfSquares += grad.to(DType.F64).square().sum().item();
                }
            }
            double norm = Math.sqrt(sumOfSquares);
            double scale = maxNorm / (norm + 1e-6);
            if (Double.isFinite(norm) && scale < 1) {
                for (Parameter p : parameters) {
                    Tensor grad = p.grad();
                    if (grad != null) {
                        p.value().setGrad(grad.mul(scale));
                    }
                }
            }
            return norm;
        }
    }
}
