package dev.tessera.tests.autograd.rules;

import dev.tessera.tensor.Device;
import dev.tessera.tests.opencl.OpenClAvailable;
import net.jqwik.api.PropertyDefaults;
import net.jqwik.api.ShrinkingMode;
import net.jqwik.api.lifecycle.AddLifecycleHook;

/**
 * Autograd on OpenCL tensors, unchanged: every gradient case on the opencl backend in F32 against
 * the reference in F64, with the cpu's tolerances (fewer tries: each case is dozens of launches).
 */
@PropertyDefaults(tries = 40, shrinking = ShrinkingMode.OFF)
@AddLifecycleHook(OpenClAvailable.class)
class OpenClGradientTest extends F32GradientProperties {
    @Override
    Device device() {
        return Device.opencl();
    }
}
