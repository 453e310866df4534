package dev.tessera.tests.autograd.rules;

import dev.tessera.tensor.Device;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.ShrinkingMode;

/** Every gradient case on the cpu backend in F32 against the reference in F64. */
@PropertyDefaults(tries = 200, shrinking = ShrinkingMode.OFF)
class CpuGradientTest extends F32GradientProperties {
    @Override
    Device device() {
        return Device.cpu();
    }
}
