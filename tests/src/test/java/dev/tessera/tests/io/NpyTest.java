package dev.tessera.tests.io;

import static dev.tessera.tests.io.IoFixtures.assertSameTensor;
import static dev.tessera.tests.io.IoFixtures.golden;
import static dev.tessera.tests.io.IoFixtures.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.io.Npy;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class NpyTest {
    @TempDir
    Path dir;

    private Tensor roundTrip(Tensor t) throws IOException {
        Path file = dir.resolve("t.npy");
        Npy.write(file, t);
        return Npy.read(file);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = "BF16", mode = EnumSource.Mode.EXCLUDE)
    void everyNumpyDtypeRoundTripsWithScalarAndEmptyShapes(DType dtype) throws IOException {
        Generator g = new Generator(dtype.ordinal());
        for (long[] shape : new long[][] {{2, 3}, {}, {0}, {3, 0, 2}, {1, 1, 5}}) {
            Tensor t = random(g, dtype, shape);
            assertSameTensor(t, roundTrip(t));
        }
    }

    @Test
    void viewsAreWrittenAsTheirRowMajorContents() throws IOException {
        Tensor base = random(new Generator(9), DType.F64, 3, 4);
        assertSameTensor(base.t(), roundTrip(base.t()));
        assertSameTensor(base.slice(1, 1, 4, 2), roundTrip(base.slice(1, 1, 4, 2)));
        Tensor broadcast = Tensor.of(new int[] {5, 6}, 2, 1).expand(2, 3);
        assertSameTensor(broadcast, roundTrip(broadcast));
    }

    @Test
    void bigEndianDataOfEveryWidthIsConverted() throws IOException {
        ByteBuffer f8 = ByteBuffer.allocate(16).order(ByteOrder.BIG_ENDIAN).putDouble(1.5).putDouble(-1e300);
        assertArrayEquals(new double[] {1.5, -1e300}, Npy.read(file(npy(dict("'>f8'", "False", "(2,)"), f8.array()))).toDoubleArray());
        ByteBuffer i8 = ByteBuffer.allocate(8).order(ByteOrder.BIG_ENDIAN).putLong((1L << 53) + 1);
        assertArrayEquals(new long[] {(1L << 53) + 1}, Npy.read(file(npy(dict("'>i8'", "False", "()"), i8.array()))).toLongArray());
        ByteBuffer f2 = ByteBuffer.allocate(4).order(ByteOrder.BIG_ENDIAN)
                .putShort(Float.floatToFloat16(0.5f)).putShort(Float.floatToFloat16(-3f));
        assertArrayEquals(new float[] {0.5f, -3f}, Npy.read(file(npy(dict("'>f2'", "False", "(2,)"), f2.array()))).toFloatArray());
        ByteBuffer f4 = ByteBuffer.allocate(24).order(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < 6; i++) {
            f4.putFloat(i);
        }
        // big-endian and Fortran order at once: data 0..5 column-major for shape (2, 3)
        Tensor both = Npy.read(file(npy(dict("'>f4'", "True", "(2, 3)"), f4.array())));
        assertArrayEquals(new float[] {0, 2, 4, 1, 3, 5}, both.toFloatArray());
    }

    @Test
    void bf16IsRefusedWithAClearMessage() {
        Path file = dir.resolve("bf16.npy");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Npy.write(file, Tensor.ones(2).to(DType.BF16)));
        assertTrue(e.getMessage().contains("NumPy has no bfloat16"), e.getMessage());
        assertFalse(Files.exists(file));
    }

    // ---------------------------------------------------------------- corrupt files

    private Path file(byte[] bytes) throws IOException {
        Path file = dir.resolve("corrupt.npy");
        Files.write(file, bytes);
        return file;
    }

    /** A version 1.0 file with this header text (unpadded) and {@code dataBytes} zero bytes of data. */
    private static byte[] npy(String header, int dataBytes) {
        return npy(header, new byte[dataBytes]);
    }

    private static byte[] npy(String header, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        out.write(header.length() & 0xFF);
        out.write(header.length() >>> 8);
        out.writeBytes(header.getBytes(StandardCharsets.ISO_8859_1));
        out.writeBytes(data);
        return out.toByteArray();
    }

    private static String dict(String descr, String fortran, String shape) {
        return "{'descr': " + descr + ", 'fortran_order': " + fortran + ", 'shape': " + shape + ", }\n";
    }

    private void assertCorrupt(byte[] bytes, String... fragments) throws IOException {
        IoFixtures.assertCorrupt(file(bytes), Npy::read, fragments);
    }

    @Test
    void truncatedFiles() throws IOException {
        byte[] valid = Files.readAllBytes(golden("f4_2x3.npy"));
        assertCorrupt(new byte[0], "0 bytes long", "too short");
        assertCorrupt(Arrays.copyOf(valid, 40), "header length field says 118", "only 30 follow");
        assertCorrupt(Arrays.copyOf(valid, valid.length - 3), "promises 24 bytes of F32", "[2, 3]", "21 follow",
                "truncated");
        assertCorrupt(npy(dict("'<f4'", "False", "(2,)"), 7), "promises 8 bytes", "7 follow");
    }

    @Test
    void bytesAfterTheData() throws IOException {
        byte[] valid = Files.readAllBytes(golden("f4_2x3.npy"));
        assertCorrupt(Arrays.copyOf(valid, valid.length + 5), "29 follow", "exactly one array");
    }

    @Test
    void notNpyOrAnUnknownVersion() throws IOException {
        assertCorrupt("PK\u0003\u0004 this is a zip archive".getBytes(StandardCharsets.ISO_8859_1), "not a .npy file");
        byte[] valid = Files.readAllBytes(golden("f4_2x3.npy"));
        valid[6] = 4;
        assertCorrupt(valid, "unsupported .npy format version 4.0");
    }

    @Test
    void absurdHeaderLength() throws IOException {
        byte[] v2 = Files.readAllBytes(golden("f4_v2.npy"));
        v2[11] = 0x7F; // the u32 length becomes about 2^31
        assertCorrupt(v2, "header length field says", "more than the 10000 NumPy itself reads");
    }

    @Test
    void headerThatIsNotADictLiteral() throws IOException {
        assertCorrupt(npy("['descr']\n", 0), "not a valid dict literal", "expected '{'");
        assertCorrupt(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,)\n", 8), "expected ',' or '}'");
        assertCorrupt(npy(dict("'<f4'", "Nope", "(2,)"), 8), "expected a string, True, False or a tuple");
        assertCorrupt(npy(dict("'<f4'", "False", "(2)"), 8), "(2) is a parenthesised number, not a tuple");
        assertCorrupt(npy(dict("'<f4'", "False", "(2, 3)") + "x", 24), "unexpected 'x' after the dict");
        assertCorrupt(npy(dict("'<f4'", "False", "(02,)"), 8), "leading zero");
        assertCorrupt(npy("{'descr': '<f4", 0), "never closed");
        assertCorrupt(npy("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}", 4), "'descr' appears twice");
        assertCorrupt(npy(dict("[('a', '<f4')]", "False", "(2,)"), 8), "structured dtypes are not supported");
    }

    @Test
    void headerWithWrongKeysOrValues() throws IOException {
        assertCorrupt(npy("{'descr': '<f4', 'shape': (2,)}", 8), "exactly the keys descr, fortran_order and shape");
        assertCorrupt(npy(dict("'<f4'", "'no'", "(2,)"), 8), "fortran_order must be True or False");
        assertCorrupt(npy(dict("'<f4'", "False", "'2'"), 8), "shape must be a tuple");
        assertCorrupt(npy(dict("'<f4'", "False", "(2, -1)"), 0), "shape [2, -1] has a negative size");
        assertCorrupt(npy(dict("'<f4'", "False", "(99999999999999999999,)"), 0), "absurdly large");
        assertCorrupt(npy(dict("'<f4'", "False", "(4294967296, 4294967296)"), 0), "more bytes than a long can count");
    }

    @Test
    void unsupportedDtypes() throws IOException {
        assertCorrupt(npy(dict("'<u2'", "False", "(2,)"), 4), "unsupported dtype descr '<u2'");
        assertCorrupt(npy(dict("'<c8'", "False", "(2,)"), 16), "unsupported dtype descr '<c8'");
        assertCorrupt(npy(dict("'|O'", "False", "(2,)"), 16), "unsupported dtype descr '|O'");
        assertCorrupt(npy(dict("'|f4'", "False", "(2,)"), 8), "unsupported dtype descr '|f4'");
        assertCorrupt(npy(dict("'<b1'", "False", "(2,)"), 2), "unsupported dtype descr '<b1'");
    }

    @Test
    void version3HeaderThatIsNotUtf8() throws IOException {
        byte[] v3 = Files.readAllBytes(golden("f4_v3.npy"));
        v3[14] = (byte) 0xFF; // inside 'descr'
        assertCorrupt(v3, "not valid UTF-8", "0xFF at byte 2");
    }

    @Test
    void booleansThatAreNeitherZeroNorOne() throws IOException {
        byte[] bytes = npy(dict("'|b1'", "False", "(2,)"), 2);
        bytes[bytes.length - 2] = 2;
        assertCorrupt(bytes, "BOOL", "0x02 at element 0");
    }
}
