package dev.tessera.tests.ops;

import dev.tessera.tensor.Device;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.util.List;

/**
 * One concrete call of an op: its inputs (shapes, dtypes, values from seeds, layouts), the other
 * arguments (printed in {@code params}), and the call itself through the public Tensor API.
 * Running it on two devices builds identical inputs on each.
 *
 * @param terms how many values the op combines into one output element (a reduction's length,
 *     matmul's k); 1 for elementwise ops. Tolerances that grow with n use it.
 */
record OpCase(Op op, String params, List<Input> inputs, long terms, Invocation invocation) {
    /** The call: input tensors in, output tensors out (several for topk, sort, split). */
    interface Invocation {
        List<Tensor> apply(List<Tensor> inputs);
    }

    OpCase(Op op, String params, List<Input> inputs, Invocation invocation) {
        this(op, params, inputs, 1, invocation);
    }

    List<Tensor> build(Device device) {
        return inputs.stream().map(input -> input.build(device)).toList();
    }

    List<Tensor> run(Device device) {
        return invocation.apply(build(device));
    }

    /** The op applied to |inputs| on the reference: for a sum, the sum |x| its rounding error scales with. */
    List<Tensor> magnitudes() {
        List<Tensor> absolute = build(Device.reference()).stream()
                .map(t -> t.dtype().isFloating() ? t.abs() : t)
                .toList();
        return invocation.apply(absolute);
    }

    /** True when every input holds small integers, so that float sums of them are exact in any order. */
    boolean integral() {
        return inputs.stream().allMatch(input -> input.domain().integral());
    }

    Tolerance tolerance() {
        return OpInfos.get(op).tolerance();
    }

    @Override
    public String toString() {
        return op.opName() + "(" + String.join(", ", inputs.stream().map(Input::toString).toList())
                + (params.isEmpty() ? "" : "; " + params) + ")";
    }
}
