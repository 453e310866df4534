package dev.tessera.tests.opencl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.tensor.Backend;
import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The opencl gather, scatter_add, index_select and index_add called directly on the backend: the
 * adds with many repeated indices give the same bits twice and the bits of the reference's order
 * (src order, rounding after each add), with one item per column and with targets split among
 * items; gathers past one work-group equal the reference; bad index values give the reference's
 * message and leave the output untouched.
 */
@ExtendWith(OpenClAvailable.class)
class OpenClIndexingTest {
    private static final Backend CL = Device.opencl().backend();
    private static final Backend REF = Device.reference().backend();
    private static final Device OPENCL = Device.opencl();

    /** scatter_add of src along dim into a copy of out, on the opencl backend. */
    private static Tensor scatterAdd(Tensor out, int dim, Tensor index, Tensor src) {
        Tensor o = out.to(OPENCL);
        CL.scatterAdd(src.to(OPENCL), dim, index.to(OPENCL), o);
        return o;
    }

    private static Tensor indexAdd(Tensor out, int dim, Tensor index, Tensor src) {
        Tensor o = out.to(OPENCL);
        CL.indexAdd(src.to(OPENCL), dim, index.to(OPENCL), o);
        return o;
    }

    private static Tensor onReference(Tensor out) {
        return out.to(Device.reference());
    }

    @Test
    void scatterAddAddsInSrcOrderTheSameBitsTwice() {
        Generator g = new Generator(9);
        // 64 columns of 8 targets: the targets are split among items. 20000 columns: one item each.
        for (long[] shape : new long[][] {{64, 4096, 8}, {20000, 40, 3}}) {
            int rows = (int) shape[0];
            int length = (int) shape[1];
            int targets = (int) shape[2];
            Tensor src = Tensor.randn(g, rows, length);
            Tensor index = Tensor.randint(g, 0, targets, rows, length);
            Tensor a = scatterAdd(Tensor.zeros(rows, targets), 1, index, src);
            Tensor b = scatterAdd(Tensor.zeros(rows, targets), 1, index, src);
            assertArrayEquals(bits(a.toFloatArray()), bits(b.toFloatArray()));
            float[] sv = src.toFloatArray();
            long[] iv = index.toLongArray();
            float[] want = new float[rows * targets];
            for (int i = 0; i < sv.length; i++) {
                want[(i / length) * targets + (int) iv[i]] += sv[i];
            }
            assertArrayEquals(bits(want), bits(a.toFloatArray()), "float adds in src order");
        }
        // Order is observable: 1e8 + 1 - 1e8 in src order is 0, not 1.
        Tensor f = scatterAdd(Tensor.zeros(1), 0, Tensor.of(new long[] {0, 0, 0}), Tensor.of(new float[] {1e8f, 1, -1e8f}));
        assertEquals(0f, f.toFloatArray()[0]);
    }

    @Test
    void addsEqualTheReferenceBitForBitInEveryFloatDtype() {
        Generator g = new Generator(11);
        for (DType type : new DType[] {DType.F32, DType.BF16, DType.F16, DType.F64}) {
            // index_add along dim 0 of [8, 200] (200 columns, targets split), and along dim 1 of a transposed view.
            Tensor src = Tensor.randn(g, 1500, 200).to(type);
            Tensor index = Tensor.randint(g, 0, 8, 1500);
            Tensor out = Tensor.randn(g, 8, 200).to(type);
            Tensor want = onReference(out);
            REF.indexAdd(src.to(Device.reference()), 0, index.to(Device.reference()), want);
            Tensor got = indexAdd(out, 0, index, src);
            assertArrayEquals(bits(want.toDoubleArray()), bits(got.toDoubleArray()), "index_add " + type);
            assertArrayEquals(bits(got.toDoubleArray()), bits(indexAdd(out, 0, index, src).toDoubleArray()),
                    "index_add twice " + type);

            Tensor srcT = Tensor.randn(g, 300, 1000).to(type).t(); // [1000, 300], strided
            Tensor indexI32 = Tensor.randint(g, 0, 5, 300).to(DType.I32);
            Tensor outT = Tensor.randn(g, 1000, 5).to(type);
            Tensor wantT = onReference(outT);
            REF.indexAdd(srcT.to(Device.reference()), 1, indexI32.to(Device.reference()), wantT);
            assertArrayEquals(bits(wantT.toDoubleArray()), bits(indexAdd(outT, 1, indexI32, srcT).toDoubleArray()),
                    "index_add along dim 1 " + type);

            Tensor scatterSrc = Tensor.randn(g, 30, 700).to(type);
            Tensor scatterIndex = Tensor.randint(g, 0, 4, 30, 600);
            Tensor scatterOut = Tensor.randn(g, 40, 4).to(type);
            Tensor wantS = onReference(scatterOut);
            REF.scatterAdd(scatterSrc.narrow(1, 0, 600).to(Device.reference()), 1, scatterIndex.to(Device.reference()), wantS);
            Tensor gotS = scatterAdd(scatterOut, 1, scatterIndex, scatterSrc.narrow(1, 0, 600));
            assertArrayEquals(bits(wantS.toDoubleArray()), bits(gotS.toDoubleArray()), "scatter_add " + type);
        }
    }

    @Test
    void gathersPastOneWorkGroupEqualTheReference() {
        Generator g = new Generator(12);
        Tensor x = Tensor.randn(g, 700, 300).t(); // [300, 700], strided
        Tensor index = Tensor.randint(g, 0, 700, 250, 900);
        Tensor want = Tensor.empty(DType.F32, Device.reference(), 250, 900);
        REF.gather(x.to(Device.reference()), 1, index.to(Device.reference()), want);
        Tensor got = Tensor.empty(DType.F32, OPENCL, 250, 900);
        CL.gather(x.to(OPENCL), 1, index.to(OPENCL), got);
        assertArrayEquals(bits(want.toDoubleArray()), bits(got.toDoubleArray()), "gather");

        Tensor rows = Tensor.randint(g, 0, 300, 1000).to(DType.I32);
        Tensor wantRows = Tensor.empty(DType.F32, Device.reference(), 1000, 700);
        REF.indexSelect(x.to(Device.reference()), 0, rows.to(Device.reference()), wantRows);
        Tensor gotRows = Tensor.empty(DType.F32, OPENCL, 1000, 700);
        CL.indexSelect(x.to(OPENCL), 0, rows.to(OPENCL), gotRows);
        assertArrayEquals(bits(wantRows.toDoubleArray()), bits(gotRows.toDoubleArray()), "index_select");
    }

    @Test
    void badIndicesGiveTheReferenceMessageAndWriteNothing() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor gatherIndex = Tensor.of(new long[] {0, 2, 7, -1}, 2, 2);
        assertSameRefusal((b, d) -> b.gather(x.to(d), 1, gatherIndex.to(d), Tensor.empty(DType.F32, d, 2, 2)));
        Tensor selectIndex = Tensor.of(new int[] {1, -3, 0});
        assertSameRefusal((b, d) -> b.indexSelect(x.to(d), 0, selectIndex.to(d), Tensor.empty(DType.F32, d, 3, 3)));
        Tensor scatterIndex = Tensor.of(new long[] {0, 1, 2, 0, 3, 1}, 2, 3);
        assertSameRefusal((b, d) -> b.scatterAdd(x.to(d), 1, scatterIndex.to(d), x.to(d)));
        Tensor addIndex = Tensor.of(new long[] {1, 2});
        assertSameRefusal((b, d) -> b.indexAdd(x.to(d), 0, addIndex.to(d), x.to(d)));

        Tensor keep = x.to(OPENCL);
        assertThrows(IllegalArgumentException.class, () -> CL.scatterAdd(x.to(OPENCL), 1, scatterIndex.to(OPENCL), keep));
        assertArrayEquals(x.toFloatArray(), keep.toFloatArray(), "scatter_add wrote before its check");
        assertThrows(IllegalArgumentException.class, () -> CL.indexAdd(x.to(OPENCL), 0, addIndex.to(OPENCL), keep));
        assertArrayEquals(x.toFloatArray(), keep.toFloatArray(), "index_add wrote before its check");
    }

    private interface Call {
        void run(Backend backend, Device device);
    }

    private static void assertSameRefusal(Call call) {
        String want = assertThrows(IllegalArgumentException.class, () -> call.run(REF, Device.reference())).getMessage();
        String got = assertThrows(IllegalArgumentException.class, () -> call.run(CL, OPENCL)).getMessage();
        assertEquals(want, got);
    }

    private static int[] bits(float[] v) {
        int[] b = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Float.floatToIntBits(v[i]);
        }
        return b;
    }

    private static long[] bits(double[] v) {
        long[] b = new long[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = Double.doubleToLongBits(v[i]);
        }
        return b;
    }
}
