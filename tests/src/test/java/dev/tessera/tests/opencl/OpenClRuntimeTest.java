package dev.tessera.tests.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.opencl.ClException;
import dev.tessera.opencl.OpenClBackend;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Moving tensors to and from the device, device mismatches, and the buffer and kernel counts. */
@ExtendWith(OpenClAvailable.class)
class OpenClRuntimeTest {
    private static final Device CL = Device.opencl();
    private final Generator g = new Generator(3);

    @Test
    void everyDtypeRoundTripsThroughTheDeviceFromAnyLayout() {
        Tensor base = Tensor.randn(g, 6, 9).mul(50);
        for (DType d : DType.values()) {
            Tensor host = base.to(d).t().slice(0, 1, 9, 2); // [4, 6], strided
            Tensor there = host.to(CL);
            assertEquals(CL, there.device());
            assertArrayEquals(host.toDoubleArray(), there.toDoubleArray(), d.toString());
            Tensor view = there.t().slice(1, 1, 4); // a strided view on the device back to the host
            assertArrayEquals(host.t().slice(1, 1, 4).toDoubleArray(), view.to(Device.cpu()).toDoubleArray(),
                    d.toString());
        }
    }

    @Test
    void emptyTensorsAndScalarsMove() {
        assertEquals(0, Tensor.zeros(0, 5).to(CL).to(Device.cpu()).numel());
        assertEquals(2.5, Tensor.full(2.5, DType.F32).to(CL).item());
    }

    @Test
    void opsBetweenDevicesAreRefused() {
        Tensor a = Tensor.ones(3);
        Tensor b = Tensor.ones(3).to(CL);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(b));
        assertTrue(e.getMessage().contains("different devices (cpu and opencl)"), e.getMessage());
    }

    @Test
    void theHostCannotReadDeviceMemoryByAccident() {
        Tensor t = Tensor.ones(3).to(CL);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> t.storage().segment());
        assertEquals("this storage lives on opencl: copy its tensor to the host first with .to(Device.cpu())",
                e.getMessage());
    }

    @Test
    void anAllocationTheDeviceRefusesSaysSo() {
        ClException e = assertThrows(ClException.class, () -> Tensor.empty(DType.F32, CL, 1L << 46));
        assertTrue(e.getMessage().startsWith("OpenCL device ") && e.getMessage().contains(" could not allocate "
                + (4L << 46) + " bytes"), e.getMessage());
        assertEquals(2.0, Tensor.full(2, DType.F32).to(CL).item(), "the device still works");
    }

    @Test
    void bigTensorsAreCoveredByTheGridStrideLoop() {
        int n = 3_000_001; // past the most work items one launch gets
        Tensor x = Tensor.randn(g, n);
        float[] want = x.mul(x).add(1).toFloatArray();
        assertArrayEquals(want, x.to(CL).mul(x.to(CL)).add(1).toFloatArray());
    }

    @Test
    void tenThousandOpsLeaveNoBuffersOrKernelsBehind() throws InterruptedException {
        Tensor x = Tensor.randn(g, 17, 33).to(CL);
        Tensor y = Tensor.randn(g, 33).to(CL);
        Runnable round = () -> {
            Tensor z = x.add(y).mul(x).t().exp().neg().clamp(-2, 2).to(DType.BF16).to(DType.F32);
            Tensor.where(z.gt(0), z.sqrt().relu(), z.square()).maximum(z);
        };
        round.run();
        int kernels = OpenClBackend.kernelCount();
        int baseline = settledLiveBuffers();
        for (int i = 0; i < 1250; i++) { // 8 ops and 2 transfers each
            round.run();
        }
        assertEquals(kernels, OpenClBackend.kernelCount(), "kernels are built once and cached");
        int after = settledLiveBuffers();
        assertTrue(after <= baseline, after + " device buffers live after the ops' tensors died, " + baseline
                + " before");
    }

    /** The count of live buffers once collections stop changing it (earlier tests' garbage included). */
    private static int settledLiveBuffers() throws InterruptedException {
        int live = OpenClBackend.liveBuffers();
        for (int calm = 0, i = 0; calm < 3 && i < 100; i++) {
            System.gc();
            Thread.sleep(20);
            int now = OpenClBackend.liveBuffers();
            calm = now == live ? calm + 1 : 0;
            live = now;
        }
        return live;
    }
}
