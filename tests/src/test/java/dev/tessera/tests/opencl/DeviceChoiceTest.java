package dev.tessera.tests.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.opencl.DeviceChoice;
import dev.tessera.opencl.DeviceChoice.Candidate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** TESSERA_OPENCL_DEVICE and the GPU-first default; needs no OpenCL device. */
class DeviceChoiceTest {
    private static final List<Candidate> DEVICES = List.of(new Candidate("pthread-skylake-avx512", false),
            new Candidate("NVIDIA H100 80GB HBM3", true), new Candidate("NVIDIA A10", true));

    @Test
    void aGpuComesFirstUnlessTheVariableSaysOtherwise() {
        assertEquals(1, DeviceChoice.choose(DEVICES, null));
        assertEquals(1, DeviceChoice.choose(DEVICES, "  "));
        assertEquals(0, DeviceChoice.choose(List.of(new Candidate("cpu", false)), null));
    }

    @Test
    void anIndexOrANameSubstringPicksADevice() {
        assertEquals(0, DeviceChoice.choose(DEVICES, "0"));
        assertEquals(2, DeviceChoice.choose(DEVICES, "2"));
        assertEquals(2, DeviceChoice.choose(DEVICES, "a10"));
        assertEquals(0, DeviceChoice.choose(DEVICES, "SKYLAKE"));
    }

    @Test
    void aChoiceThatMatchesNothingListsTheDevices() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> DeviceChoice.choose(DEVICES, "3"));
        assertEquals("TESSERA_OPENCL_DEVICE=3: there are only 3 OpenCL devices: 0: pthread-skylake-avx512, "
                + "1: NVIDIA H100 80GB HBM3, 2: NVIDIA A10", e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> DeviceChoice.choose(DEVICES, "radeon"));
        assertTrue(e.getMessage().startsWith("TESSERA_OPENCL_DEVICE=radeon matches no OpenCL device: 0: "), e.getMessage());
        assertThrows(IllegalStateException.class, () -> DeviceChoice.choose(DEVICES, "99999999999999"));
    }
}
