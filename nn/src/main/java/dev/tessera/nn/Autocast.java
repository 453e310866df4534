package dev.tessera.nn;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import java.util.Optional;

/**
 * Mixed precision, per thread: while a scope is open, layers run their heavy ops (matmul,
 * elementwise chains) in a narrow compute dtype, while parameters, their gradients and the
 * optimizer stay F32.
 *
 * <pre>{@code
 * Tensor loss;
 * try (var amp = Autocast.bf16()) {
 *     loss = Losses.crossEntropy(model.forward(x), y);   // activations BF16, loss F32
 * }
 * loss.backward();                                       // parameter grads F32
 * optimizer.step();
 * }</pre>
 *
 * <p>Why a scope and not a model converted to BF16: the F32 parameters are the master weights.
 * BF16 keeps 8 bits of mantissa, so near 1.0 its spacing is 2^-7; an update of lr * grad ~ 1e-4
 * applied to a BF16 weight rounds away and training stalls. With a scope, each forward casts the
 * F32 master to the compute dtype through a recorded {@link Tensor#to(DType)}, so the gradient
 * flows back through the cast and lands on the master as F32. The same model runs in F32 or
 * BF16 by wrapping one call, nothing about it changes, and outside a scope every layer is
 * exactly what it was (F32, bit-identical). The state is per thread, like
 * {@code dev.tessera.autograd.Grad}, so an evaluation on another thread is not affected; a new
 * thread starts with no scope. Backward needs no scope: the casts are already in the graph.
 *
 * <p>What a scope changes: {@link Linear} casts its input, weight and bias to the compute dtype
 * before the matmul; {@link Embedding} returns its rows in the compute dtype; {@link SwiGLU}
 * follows from Linear. What it does not: {@link Losses} widen BF16 and F16 to F32, and the CPU
 * kernels for softmax, norms and reductions accumulate in F32 whatever the storage dtype, so
 * the loss-critical sums keep F32 precision and only their stored results are rounded. Only
 * F32, BF16 and F16 tensors are cast (as in PyTorch): F64 and integer tensors pass unchanged, so
 * a model built in F64 for a gradient check stays F64 inside a scope.
 *
 * <p>How another module takes part: cast every floating input and parameter that feeds a heavy
 * op with {@link #cast} inside {@code forward}, or, when the module only transforms its input (a
 * norm, an activation, attention over projections made by Linear), cast its own parameters to
 * the input's dtype, since the input already arrives in the compute dtype (RMSNorm does this and
 * needs nothing else). Keep loss-critical reductions in F32, in the kernel or by widening with
 * {@code .to(DType.F32)} and narrowing the result back. Cast inside each forward and never store
 * the cast copy or round a parameter in place: the cast must be recorded every time for the
 * gradient to reach the F32 master. A part that must stay F32 (a router's softmax, say) can run
 * under {@link #off()}.
 */
public final class Autocast {
    /** The compute dtype of the innermost open scope on this thread; null when none is open or it is off. */
    private static final ThreadLocal<DType> COMPUTE = new ThreadLocal<>();

    private Autocast() {}

    /** A scope that restores the previous state of the thread that opened it when closed; scopes nest. */
    public static final class Scope implements AutoCloseable {
        private final DType previous;
        private final Thread owner = Thread.currentThread();

        private Scope(DType compute) {
            previous = COMPUTE.get();
            COMPUTE.set(compute);
        }

        /** Restores the previous state; must run on the thread that opened the scope. */
        @Override
        public void close() {
            if (Thread.currentThread() != owner) {
                throw new IllegalStateException("Autocast scope: opened on thread " + owner.getName()
                        + " but closed on " + Thread.currentThread().getName() + "; autocast is per thread");
            }
            COMPUTE.set(previous);
        }
    }

    /** Layers compute in BF16 on this thread until the scope closes. */
    public static Scope bf16() {
        return to(DType.BF16);
    }

    /** Layers compute in {@code compute} (F32, BF16 or F16) on this thread until the scope closes. */
    public static Scope to(DType compute) {
        if (!castable(compute)) {
            throw new IllegalArgumentException("Autocast: the compute dtype must be BF16, F16 or F32, got " + compute);
        }
        return new Scope(compute);
    }

    /** No casting on this thread until the scope closes, even inside an outer scope. */
    public static Scope off() {
        return new Scope(null);
    }

    /** The compute dtype in force on this thread, or empty outside a scope (or under {@link #off()}). */
    public static Optional<DType> computeDtype() {
        return Optional.ofNullable(COMPUTE.get());
    }

    /**
     * {@code t} in the compute dtype, through a recorded cast, when a scope is in force and
     * {@code t} is F32, BF16 or F16; otherwise {@code t} itself (outside a scope, for F64, for
     * integers and BOOL, or when it already has the compute dtype).
     */
    public static Tensor cast(Tensor t) {
        DType compute = COMPUTE.get();
        if (compute == null || !castable(t.dtype())) {
            return t;
        }
        return t.to(compute);
    }

    private static boolean castable(DType type) {
        return type == DType.F32 || type == DType.BF16 || type == DType.F16;
    }
}
