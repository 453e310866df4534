package dev.tessera.tests.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.util.Arrays;
import java.util.Comparator;
import org.junit.jupiter.api.Test;

class TopKTest {
    private static Tensor[] topk(Tensor x, int dim, int k, boolean largest) {
        long[] shape = x.shape();
        shape[dim] = k;
        Tensor values = Cpu.empty(x.dtype(), shape);
        Tensor indices = Cpu.empty(DType.I64, shape);
        Cpu.CPU.topk(x, dim, k, largest, values, indices);
        return new Tensor[] {values, indices};
    }

    @Test
    void tiesGoToTheLowerIndexAndNanIsLargest() {
        float nan = Float.NaN;
        Tensor x = Tensor.of(new float[] {2, nan, 5, 2, 5, -0f, 0f, nan});
        Tensor[] top = topk(x, 0, 4, true);
        assertArrayEquals(new long[] {1, 7, 2, 4}, top[1].toLongArray());
        assertArrayEquals(Cpu.bits(new float[] {nan, nan, 5, 5}), Cpu.bits(top[0].toFloatArray()));
        Tensor[] bottom = topk(x, 0, 5, false);
        assertArrayEquals(new long[] {5, 6, 0, 3, 2}, bottom[1].toLongArray()); // -0 and 0 tie
        assertArrayEquals(new long[] {5, 6, 0, 3, 2, 4, 1, 7}, topk(x, 0, 8, false)[1].toLongArray());
        assertArrayEquals(new long[0], topk(x, 0, 0, true)[1].toLongArray());
    }

    @Test
    void matchesAStableSortOnEveryDimAndDtype() {
        Generator g = new Generator(8);
        Tensor x = Tensor.randint(g, 0, 6, 3, 20, 4); // many ties
        for (DType type : new DType[] {DType.F32, DType.F64, DType.BF16, DType.I32, DType.I64}) {
            Tensor t = x.to(type);
            for (int dim = 0; dim < 3; dim++) {
                int n = (int) t.shape()[dim];
                for (int k : new int[] {1, Math.min(3, n), n}) {
                    for (boolean largest : new boolean[] {true, false}) {
                        Tensor[] got = topk(t, dim, k, largest);
                        Tensor rows = t.transpose(dim, 2).copy();
                        long[] rowIdx = got[1].transpose(dim, 2).copy().toLongArray();
                        double[] rowVal = got[0].transpose(dim, 2).copy().toDoubleArray();
                        double[] all = rows.toDoubleArray();
                        for (int r = 0; r < all.length / n; r++) {
                            int base = r * n;
                            Integer[] order = new Integer[n];
                            Arrays.setAll(order, i -> i);
                            Comparator<Integer> byValue = Comparator.comparingDouble(i -> all[base + i]);
                            Arrays.sort(order, largest ? byValue.reversed() : byValue); // stable: ties keep index order
                            for (int j = 0; j < k; j++) {
                                String what = type + " dim " + dim + " k " + k + " largest " + largest + " row " + r;
                                org.junit.jupiter.api.Assertions.assertEquals((long) order[j], rowIdx[r * k + j], what);
                                org.junit.jupiter.api.Assertions.assertEquals(all[base + order[j]], rowVal[r * k + j], what);
                            }
                        }
                    }
                }
            }
        }
    }
}
