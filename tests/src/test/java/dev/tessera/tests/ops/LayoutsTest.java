package dev.tessera.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The suite's own foundation: a built input holds its values in the layout it claims. */
class LayoutsTest {
    @Property(tries = 200)
    void builtInputsHoldTheirValuesInTheirLayout(@ForAll("shapes") long[] shape, @ForAll DType dtype,
            @ForAll Layout layout, @ForAll long seed) {
        Domain domain = Cases.domainFor(dtype, Domain.uniform(-10, 10).withSpecials(Double.NaN), Cases.INTEGERS);
        Input input = new Input("x", shape, dtype, domain, layout, seed);
        Tensor t = input.build(Device.cpu());
        assertArrayEquals(shape, t.shape(), input.toString());
        assertArrayEquals(asStored(input.values(), dtype), Elements.doubles(t), input.toString());
        boolean empty = Shapes.numel(shape) == 0;
        switch (input.layout()) {
            case CONTIGUOUS -> { }
            case TRANSPOSED -> assertFalse(!empty && Arrays.stream(shape).filter(s -> s > 1).count() >= 2 && t.isContiguous(),
                    input.toString());
            case SLICED -> assertFalse(!empty && shape[shape.length - 1] > 1 && t.isContiguous(), input.toString());
            case EXPANDED -> assertFalse(Arrays.stream(t.strides()).noneMatch(s -> s == 0), input.toString());
        }
    }

    @Provide
    Arbitrary<long[]> shapes() {
        return Arbitraries.longs().between(0, 6).list().ofMaxSize(4).map(Shapes::toArray);
    }

    /** The values as the dtype stores them, converted by DType itself. */
    private static double[] asStored(double[] values, DType dtype) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment one = arena.allocate(8);
            return Arrays.stream(values).map(v -> {
                dtype.write(one, 0, v);
                return dtype.read(one, 0);
            }).toArray();
        }
    }
}
