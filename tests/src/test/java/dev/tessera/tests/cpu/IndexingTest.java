package dev.tessera.tests.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.Test;

class IndexingTest {
    @Test
    void gatherAlongEachDimWithI64AndI32Indices() {
        Tensor x = Cpu.iota(2, 3); // [[1 2 3] [4 5 6]]
        Tensor index = Tensor.of(new long[] {2, 0, 1, 1}, 2, 2);
        Tensor out = Cpu.empty(DType.F32, 2, 2);
        Cpu.CPU.gather(x, 1, index, out);
        assertArrayEquals(new float[] {3, 1, 5, 5}, out.toFloatArray());
        Cpu.CPU.gather(x, 0, Tensor.of(new int[] {1, 0, 0, 1}, 2, 2), out);
        assertArrayEquals(new float[] {4, 2, 1, 5}, out.toFloatArray());
        Tensor outT = Cpu.empty(DType.F32, 3, 1);
        Cpu.CPU.gather(x.t(), 1, Tensor.of(new long[] {1, 0, 1}, 3, 1), outT); // strided x
        assertArrayEquals(new float[] {4, 2, 6}, outT.toFloatArray());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Cpu.CPU.gather(x, 1, Tensor.of(new long[] {0, 3}, 2, 1), Cpu.empty(DType.F32, 2, 1)));
        assertEquals("gather: index 3 is out of range for a dim of size 3", e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> Cpu.CPU.gather(x, 1, Tensor.of(new long[] {-1}, 1, 1), Cpu.empty(DType.F32, 1, 1)));
    }

    @Test
    void scatterAddAccumulatesInSrcOrder() {
        Tensor out = Tensor.zeros(2, 3);
        Tensor src = Cpu.iota(2, 4);
        Tensor index = Tensor.of(new long[] {0, 2, 0, 1, 2, 2, 2, 0}, 2, 4);
        Cpu.CPU.scatterAdd(src, 1, index, out);
        assertArrayEquals(new float[] {1 + 3, 4, 2, 8, 0, 5 + 6 + 7}, out.toFloatArray());
        // Order is observable with floats: 1e8 + 1 - 1e8 in src order gives 0 here, not 1.
        Tensor f = Tensor.zeros(1);
        Cpu.CPU.scatterAdd(Tensor.of(new float[] {1e8f, 1, -1e8f}), 0, Tensor.of(new long[] {0, 0, 0}), f);
        assertEquals(0f, f.toFloatArray()[0]);
        Tensor ints = Tensor.zeros(DType.I64, 3);
        Cpu.CPU.scatterAdd(Tensor.of(new long[] {1L << 60, 1, 1L << 60}), 0, Tensor.of(new int[] {2, 2, 0}), ints);
        assertArrayEquals(new long[] {1L << 60, 0, (1L << 60) + 1}, ints.toLongArray());
        Tensor keep = Tensor.ones(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Cpu.CPU.scatterAdd(Tensor.ones(2), 0, Tensor.of(new long[] {0, 2}), keep));
        assertEquals("scatter_add: index 2 is out of range for a dim of size 2", e.getMessage());
        assertArrayEquals(new float[] {1, 1}, keep.toFloatArray(), "nothing written before the check");
    }

    @Test
    void scatterAddIsDeterministicAcrossThreadsOnBigInputs() {
        Generator g = new Generator(9);
        Tensor src = Tensor.randn(g, 64, 4096);
        Tensor index = Tensor.randint(g, 0, 8, 64, 4096);
        Tensor a = Tensor.zeros(64, 8);
        Tensor b = Tensor.zeros(64, 8);
        Cpu.CPU.scatterAdd(src, 1, index, a);
        Cpu.CPU.scatterAdd(src, 1, index, b);
        assertArrayEquals(Cpu.bits(a.toFloatArray()), Cpu.bits(b.toFloatArray()));
        float[] sv = src.toFloatArray();
        long[] iv = index.toLongArray();
        float[] want = new float[64 * 8];
        for (int i = 0; i < sv.length; i++) {
            want[(i / 4096) * 8 + (int) iv[i]] += sv[i];
        }
        assertArrayEquals(Cpu.bits(want), Cpu.bits(a.toFloatArray()), "float adds in src order");
    }

    @Test
    void indexSelectRowsColumnsAndEmbeddings() {
        Tensor x = Cpu.iota(3, 4);
        Tensor rows = Cpu.empty(DType.F32, 4, 4);
        Cpu.CPU.indexSelect(x, 0, Tensor.of(new long[] {2, 0, 2, 1}), rows);
        assertArrayEquals(new float[] {9, 10, 11, 12, 1, 2, 3, 4, 9, 10, 11, 12, 5, 6, 7, 8}, rows.toFloatArray());
        Tensor cols = Cpu.empty(DType.F32, 3, 2);
        Cpu.CPU.indexSelect(x, 1, Tensor.of(new int[] {3, 0}), cols);
        assertArrayEquals(new float[] {4, 1, 8, 5, 12, 9}, cols.toFloatArray());
        Tensor none = Cpu.empty(DType.F32, 0, 4);
        Cpu.CPU.indexSelect(x, 0, Tensor.of(new long[0]), none);
        assertThrows(IllegalArgumentException.class,
                () -> Cpu.CPU.indexSelect(x, 0, Tensor.of(new long[] {3}), Cpu.empty(DType.F32, 1, 4)));
    }

    @Test
    void indexAddAccumulatesInIndexOrder() {
        Tensor out = Tensor.zeros(3, 2);
        Cpu.CPU.indexAdd(Cpu.iota(4, 2), 0, Tensor.of(new long[] {2, 0, 2, 2}), out);
        assertArrayEquals(new float[] {3, 4, 0, 0, 1 + 5 + 7, 2 + 6 + 8}, out.toFloatArray());
        Tensor cols = Tensor.ones(2, 3).to(DType.F64);
        Cpu.CPU.indexAdd(Cpu.iota(2, 2).to(DType.F64).t(), 1, Tensor.of(new int[] {1, 1}), cols);
        assertArrayEquals(new double[] {1, 1 + 1 + 3, 1, 1, 1 + 2 + 4, 1}, cols.toDoubleArray()); // src is [[1 3] [2 4]]
        Tensor f = Tensor.zeros(1, 40);
        Cpu.CPU.indexAdd(Tensor.of(new float[] {1e8f, 1, -1e8f}).unsqueeze(1).expand(3, 40), 0, Tensor.of(new long[] {0, 0, 0}), f);
        assertEquals(0f, f.toFloatArray()[39]);
        assertThrows(IllegalArgumentException.class,
                () -> Cpu.CPU.indexAdd(Tensor.ones(1, 2), 0, Tensor.of(new long[] {5}), Tensor.zeros(3, 2)));
    }
}
