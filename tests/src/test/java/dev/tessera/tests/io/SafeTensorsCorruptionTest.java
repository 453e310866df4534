package dev.tessera.tests.io;

import static dev.tessera.tests.io.IoFixtures.safetensors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.io.SafeTensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per kind of damage: each must be an IOException that names the file and the problem. */
class SafeTensorsCorruptionTest {
    @TempDir
    Path dir;

    /** A tensor entry of the header. */
    private static String entry(String name, String dtype, String shape, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + "," + end + "]}";
    }

    private Path file(byte[] bytes) throws IOException {
        Path file = dir.resolve("corrupt.safetensors");
        Files.write(file, bytes);
        return file;
    }

    /** Both readers must reject the file the same way. */
    private void assertCorrupt(byte[] bytes, String... fragments) throws IOException {
        Path file = file(bytes);
        IoFixtures.assertCorrupt(file, SafeTensors::read, fragments);
        IoFixtures.assertCorrupt(file, SafeTensors::readMetadata, fragments);
    }

    private byte[] validFile() throws IOException {
        Path file = dir.resolve("valid.safetensors");
        SafeTensors.write(file, Map.of("w", Tensor.ones(4, 4)));
        return Files.readAllBytes(file);
    }

    @Test
    void fileShorterThanTheLengthField() throws IOException {
        assertCorrupt(new byte[0], "0 bytes long", "too short");
        assertCorrupt(new byte[] {8, 0, 0, 0, 0}, "5 bytes long", "too short");
    }

    @Test
    void fileTruncatedInsideTheHeader() throws IOException {
        byte[] valid = validFile();
        assertCorrupt(Arrays.copyOf(valid, 20), "header length field says", "only 12 bytes follow", "truncated");
    }

    @Test
    void fileTruncatedInsideTheData() throws IOException {
        byte[] valid = validFile();
        assertCorrupt(Arrays.copyOf(valid, valid.length - 10), "tensor 'w'", "[0, 64]", "runs past the end", "54 bytes");
    }

    @Test
    void headerLengthLargerThanTheFile() throws IOException {
        byte[] valid = validFile();
        ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).putLong(0, valid.length);
        assertCorrupt(valid, "header length field says " + valid.length, "only " + (valid.length - 8) + " bytes follow");
    }

    @Test
    void absurdHeaderLengths() throws IOException {
        byte[] valid = validFile();
        ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1);
        assertCorrupt(valid, "18446744073709551615", "more than the 100000000");
        ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 100_000_001);
        assertCorrupt(valid, "100000001", "more than the 100000000");
    }

    @Test
    void headerNotUtf8() throws IOException {
        byte[] header = "{\"w\u00C3(\":{}}".getBytes(StandardCharsets.ISO_8859_1); // 0xC3 0x28 is not UTF-8
        assertCorrupt(safetensors(header.length, header, new byte[0]), "not valid UTF-8", "0xC3 at byte 3");
    }

    @Test
    void headerNotJson() throws IOException {
        String ok = entry("w", "F32", "[1]", 0, 4);
        assertCorrupt(safetensors("{" + ok + ",}", 4), "not valid JSON", "expected a string key", "character " + (ok.length() + 2));
        assertCorrupt(safetensors("{" + ok, 4), "not valid JSON", "expected ',' or '}'");
        assertCorrupt(safetensors("{" + ok + "}}", 4), "not valid JSON", "after the end of the JSON value");
        assertCorrupt(safetensors("{'w': 1}", 0), "not valid JSON", "expected a string key, found '''");
        assertCorrupt(safetensors("{\"w\":01}", 0), "not valid JSON", "leading zero");
        assertCorrupt(safetensors("{\"w\":\"a\u0001\"}", 0), "not valid JSON", "control character");
        assertCorrupt(safetensors("{\"w\":\"\\ud800\"}", 0), "not valid JSON", "unpaired high surrogate");
        assertCorrupt(safetensors("{\"w\":\"\\x41\"}", 0), "not valid JSON", "invalid escape \\x");
        assertCorrupt(safetensors("{\"w\":" + "[".repeat(100_000) + "}", 0), "not valid JSON", "nested deeper than 64");
        assertCorrupt(safetensors("[]", 0), "must start with '{'");
        assertCorrupt(safetensors(" {}", 0), "must start with '{'");
        assertCorrupt(safetensors("", 0), "must start with '{'", "empty");
        assertCorrupt(safetensors("{}\u0000", 0), "not valid JSON", "U+0000");
    }

    @Test
    void escapedKeysAreDecoded() throws IOException {
        String header = "{\"caf\\u00e9 \\/ \\ud83d\\ude00\":{\"dtype\":\"BOOL\",\"shape\":[],\"data_offsets\":[0,1]}}";
        Path file = file(safetensors(header, 1));
        assertEquals(Set.of("café / 😀"), SafeTensors.read(file).keySet());
    }

    @Test
    void overlappingOffsets() throws IOException {
        String header = "{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}";
        assertCorrupt(safetensors(header, 12), "tensor 'b'", "[4, 12]", "overlaps tensor 'a'", "[0, 8]");
    }

    @Test
    void offsetsPastTheEnd() throws IOException {
        String header = "{" + entry("a", "F32", "[4]", 0, 16) + "}";
        assertCorrupt(safetensors(header, 8), "tensor 'a'", "[0, 16]", "runs past the end", "holds 8 bytes");
    }

    @Test
    void offsetsOutOfOrder() throws IOException {
        String header = "{" + entry("a", "F32", "[2]", 8, 0) + "}";
        assertCorrupt(safetensors(header, 8), "tensor 'a'", "[8, 0]", "out of order");
    }

    @Test
    void gapsInTheData() throws IOException {
        String between = "{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12) + "}";
        assertCorrupt(safetensors(between, 12), "bytes [4, 8)", "belong to no tensor", "before tensor 'b'");
        String atStart = "{" + entry("a", "F32", "[1]", 4, 8) + "}";
        assertCorrupt(safetensors(atStart, 8), "bytes [0, 4)", "before tensor 'a'");
        String atEnd = "{" + entry("a", "F32", "[1]", 0, 4) + "}";
        assertCorrupt(safetensors(atEnd, 8), "bytes [4, 8) at the end", "belong to no tensor");
        assertCorrupt(safetensors("{}", 3), "bytes [0, 3) at the end");
    }

    @Test
    void unknownDtype() throws IOException {
        assertCorrupt(safetensors("{" + entry("q", "U8", "[1]", 0, 1) + "}", 1), "tensor 'q'", "unsupported dtype \"U8\"");
        assertCorrupt(safetensors("{\"q\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                "tensor 'q'", "unsupported dtype the number 4");
    }

    @Test
    void shapeThatDoesNotMatchTheByteCount() throws IOException {
        assertCorrupt(safetensors("{" + entry("w", "F32", "[2,3]", 0, 20) + "}", 20),
                "tensor 'w'", "F32 [2, 3]", "needs 24 bytes", "span 20");
    }

    @Test
    void negativeAndAbsurdSizes() throws IOException {
        assertCorrupt(safetensors("{" + entry("w", "F32", "[2,-1]", 0, 0) + "}", 0), "tensor 'w'", "shape[1] is -1, negative");
        assertCorrupt(safetensors("{" + entry("w", "F32", "[99999999999999999999]", 0, 0) + "}", 0),
                "shape[0] is 99999999999999999999, absurdly large");
        assertCorrupt(safetensors("{" + entry("w", "F32", "[9223372036854775807]", 0, 0) + "}", 0),
                "more bytes than a long can count");
        assertCorrupt(safetensors("{" + entry("w", "F32", "[4294967296,4294967296]", 0, 0) + "}", 0),
                "more bytes than a long can count");
        assertCorrupt(safetensors("{" + entry("w", "F32", "[2.0]", 0, 8) + "}", 8), "shape[0] is 2.0, not an integer");
        assertCorrupt(safetensors("{" + entry("w", "F32", "[1e1]", 0, 40) + "}", 40), "shape[0] is 1e1, not an integer");
        assertCorrupt(safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,-4]}}", 0),
                "data_offsets[1] is -4, negative");
        assertCorrupt(safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4),
                "data_offsets must be [begin, end]");
    }

    @Test
    void duplicateKeys() throws IOException {
        String e = entry("w", "F32", "[1]", 0, 4);
        assertCorrupt(safetensors("{" + e + "," + e + "}", 4), "\"w\" twice", "duplicate keys are not allowed");
        assertCorrupt(safetensors("{\"w\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                "\"dtype\" twice");
    }

    @Test
    void malformedEntriesAndMetadata() throws IOException {
        assertCorrupt(safetensors("{\"w\":[1]}", 0), "tensor 'w'", "expected an object", "found an array");
        assertCorrupt(safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "tensor 'w'", "missing \"data_offsets\"");
        assertCorrupt(safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"x\":1}}", 4),
                "tensor 'w'", "unknown field \"x\"");
        assertCorrupt(safetensors("{\"w\":{\"dtype\":\"F32\",\"shape\":3,\"data_offsets\":[0,4]}}", 4),
                "tensor 'w'", "shape must be an array", "the number 3");
        assertCorrupt(safetensors("{\"__metadata__\":{\"k\":1}}", 0), "__metadata__ value of \"k\" must be a string");
        assertCorrupt(safetensors("{\"__metadata__\":[]}", 0), "__metadata__ must be an object");
    }

    @Test
    void booleansThatAreNeitherZeroNorOne() throws IOException {
        byte[] bytes = safetensors("{" + entry("mask", "BOOL", "[3]", 0, 3) + "}", 3);
        bytes[bytes.length - 1] = 7;
        Path file = file(bytes);
        IoFixtures.assertCorrupt(file, SafeTensors::read, "tensor 'mask'", "BOOL", "0x07 at element 2");
    }

    @Test
    void notAFile() throws IOException {
        Path missing = dir.resolve("missing.safetensors");
        assertThrows(NoSuchFileException.class, () -> SafeTensors.read(missing));
        assertThrows(IOException.class, () -> SafeTensors.read(dir));
    }
}
