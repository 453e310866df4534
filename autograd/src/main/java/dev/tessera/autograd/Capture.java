package dev.tessera.autograd;

import dev.tessera.tensor.Tensor;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/** The summed gradients of chosen leaves, kept aside; their {@code grad()} and every other leaf are left alone. */
final class Capture implements LeafSink {
    /** Every chosen leaf is a key from the start, mapped to null until a gradient reaches it. */
    private final Map<Tensor, Tensor> sums = new IdentityHashMap<>();

    Capture(List<Tensor> leaves) {
        for (Tensor leaf : leaves) {
            sums.put(leaf, null);
        }
    }

    boolean wants(Tensor leaf) {
        return sums.containsKey(leaf);
    }

    @Override
    public void receive(Tensor leaf, Tensor gradient) {
        if (wants(leaf)) {
            sums.merge(leaf, gradient, Tensor::add);
        }
    }

    /** The summed gradient of {@code leaf}, or null when no path from the roots reached it. */
    Tensor gradient(Tensor leaf) {
        return sums.get(leaf);
    }
}
