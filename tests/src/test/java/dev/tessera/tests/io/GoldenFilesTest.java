package dev.tessera.tests.io;

import static dev.tessera.tests.io.IoFixtures.golden;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.io.Npy;
import dev.tessera.tensor.io.SafeTensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Files written by NumPy and by the safetensors library (tests/golden/make_io_golden.py): Tessera
 * must read them, and write the same tensors back byte for byte.
 */
class GoldenFilesTest {
    @TempDir
    Path dir;

    @Test
    void safetensorsLibraryFileReadsInFileOrderWithEveryDtype() throws IOException {
        Path file = golden("all_dtypes.safetensors");
        Map<String, Tensor> t = SafeTensors.read(file);
        assertEquals(List.of("i64", "f64", "empty", "f32", "i32", "bf16", "f16", "bool"), List.copyOf(t.keySet()));
        assertArrayEquals(new long[] {-1, (1L << 53) + 1, 7}, t.get("i64").toLongArray());
        assertArrayEquals(new double[] {1.5, -2.25}, t.get("f64").toDoubleArray());
        assertArrayEquals(new long[] {0, 3}, t.get("empty").shape());
        assertEquals(DType.F32, t.get("empty").dtype());
        assertArrayEquals(new long[] {2, 2}, t.get("f32").shape());
        assertArrayEquals(new float[] {0.5f, -1f, 3.25f, 1e-3f}, t.get("f32").toFloatArray());
        assertArrayEquals(new long[] {}, t.get("i32").shape());
        assertEquals(42, t.get("i32").item());
        assertEquals(DType.BF16, t.get("bf16").dtype());
        assertArrayEquals(new float[] {1f, -2.5f, 0.15625f}, t.get("bf16").toFloatArray());
        assertEquals(DType.F16, t.get("f16").dtype());
        assertArrayEquals(new float[] {0.5f, 65504f}, t.get("f16").toFloatArray());
        assertEquals(DType.BOOL, t.get("bool").dtype());
        assertArrayEquals(new int[] {1, 0, 1}, t.get("bool").toIntArray());
        assertEquals(Map.of("format", "np"), SafeTensors.readMetadata(file));
    }

    @Test
    void safetensorsWrittenBackMatchTheLibraryByteForByte() throws IOException {
        Path file = golden("all_dtypes.safetensors");
        Path copy = dir.resolve("copy.safetensors");
        SafeTensors.write(copy, SafeTensors.read(file), SafeTensors.readMetadata(file));
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(copy));
    }

    @Test
    void numpyFilesRead() throws IOException {
        Tensor f4 = Npy.read(golden("f4_2x3.npy"));
        assertEquals(DType.F32, f4.dtype());
        assertArrayEquals(new long[] {2, 3}, f4.shape());
        assertArrayEquals(new float[] {0, 0.25f, 0.5f, 0.75f, 1, 1.25f}, f4.toFloatArray());

        Tensor empty = Npy.read(golden("f4_empty_0x3.npy"));
        assertArrayEquals(new long[] {0, 3}, empty.shape());

        Tensor i8 = Npy.read(golden("i8_vector.npy"));
        assertEquals(DType.I64, i8.dtype());
        assertArrayEquals(new long[] {-3, (1L << 53) + 1, 7}, i8.toLongArray());

        Tensor b1 = Npy.read(golden("b1_2x2.npy"));
        assertEquals(DType.BOOL, b1.dtype());
        assertArrayEquals(new int[] {1, 0, 0, 1}, b1.toIntArray());

        Tensor f2 = Npy.read(golden("f2_scalar.npy"));
        assertEquals(DType.F16, f2.dtype());
        assertEquals(0, f2.rank());
        assertEquals(-1.5, f2.item());
    }

    @Test
    void numpyFortranOrderReadsAsTheTransposedView() throws IOException {
        Tensor f8 = Npy.read(golden("f8_fortran_2x3.npy"));
        assertEquals(DType.F64, f8.dtype());
        assertArrayEquals(new long[] {2, 3}, f8.shape());
        assertFalse(f8.isContiguous());
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, f8.toDoubleArray());
    }

    @Test
    void numpyBigEndianIsConverted() throws IOException {
        Tensor i4 = Npy.read(golden("i4_big_endian.npy"));
        assertEquals(DType.I32, i4.dtype());
        assertArrayEquals(new int[] {1, -2, 70000}, i4.toIntArray());
    }

    @ParameterizedTest
    @ValueSource(strings = {"f4_v2.npy", "f4_v3.npy"})
    void numpyFormatVersionsTwoAndThreeRead(String name) throws IOException {
        assertArrayEquals(new float[] {1, -0.5f}, Npy.read(golden(name)).toFloatArray());
    }

    @ParameterizedTest
    @ValueSource(strings = {"f4_2x3.npy", "f4_empty_0x3.npy", "i8_vector.npy", "b1_2x2.npy", "f2_scalar.npy"})
    void npyWrittenBackMatchesNumpyByteForByte(String name) throws IOException {
        Path copy = dir.resolve(name);
        Npy.write(copy, Npy.read(golden(name)));
        assertArrayEquals(Files.readAllBytes(golden(name)), Files.readAllBytes(copy));
    }
}
