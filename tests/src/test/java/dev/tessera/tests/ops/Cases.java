package dev.tessera.tests.ops;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import java.util.List;
import java.util.Random;

/** Small helpers the case makers and error cases share: dtype lists, random choices, throwaway tensors. */
final class Cases {
    static final List<DType> FLOATS = List.of(DType.F32, DType.F64, DType.BF16, DType.F16);
    /** Everything but BOOL, F32 first. */
    static final List<DType> NUMERIC = List.of(DType.F32, DType.F64, DType.BF16, DType.F16, DType.I32, DType.I64);
    static final List<DType> ALL = List.of(DType.F32, DType.F64, DType.BF16, DType.F16, DType.I32, DType.I64, DType.BOOL);
    static final List<DType> INDEX_TYPES = List.of(DType.I64, DType.I32);

    /** Values an integer tensor gets when the op does not care: products and sums stay far from overflow. */
    static final Domain INTEGERS = Domain.integers(-1000, 1000);
    static final Domain BOOLS = Domain.integers(0, 1);

    private Cases() {}

    static Layout layout(Random random) {
        Layout[] all = Layout.values();
        return all[random.nextInt(all.length)];
    }

    /** {@code floats} for a floating dtype, {@link #BOOLS} for BOOL, {@code integers} otherwise. */
    static Domain domainFor(DType dtype, Domain floats, Domain integers) {
        return dtype.isFloating() ? floats : dtype == DType.BOOL ? BOOLS : integers;
    }

    /** Specials in a third of the cases, so that most cases check ordinary values at full density. */
    static Domain sometimesSpecial(Domain withSpecials, Random random) {
        return random.nextInt(3) == 0 ? withSpecials : withSpecials.withoutSpecials();
    }

    /** Half the cases draw small integers (ties, exact float sums), half draw {@code otherwise}. */
    static Domain sometimesIntegral(Domain otherwise, Random random) {
        return random.nextBoolean() ? Domain.integers(-4, 4) : otherwise;
    }

    static Input input(String name, long[] shape, DType dtype, Domain domain, Layout layout, Random random) {
        return new Input(name, shape, dtype, domain, layout, random.nextLong());
    }

    /** An input of indices in {@code [0, bound)} (bound 0: the input must be empty). */
    static Input indices(String name, long[] shape, long bound, Random random) {
        DType type = INDEX_TYPES.get(random.nextInt(INDEX_TYPES.size()));
        return new Input(name, shape, type, Domain.integers(0, Math.max(0, bound - 1)), layout(random), random.nextLong());
    }

    /** A zero-filled tensor for a bad call. */
    static Tensor zeros(Device device, DType dtype, long... shape) {
        return Tensor.zeros(dtype, shape).to(device);
    }

    /** The device that is not {@code home}, for mismatched-device calls. */
    static Device other(Device home) {
        return home == Device.cpu() ? Device.reference() : Device.cpu();
    }
}
