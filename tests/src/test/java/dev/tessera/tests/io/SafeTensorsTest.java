package dev.tessera.tests.io;

import static dev.tessera.tests.io.IoFixtures.assertSameTensor;
import static dev.tessera.tests.io.IoFixtures.assertSameTensors;
import static dev.tessera.tests.io.IoFixtures.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Storage;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.io.SafeTensors;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void everyDtypeRoundTripsBitForBitWithScalarAndEmptyTensors() throws IOException {
        Map<String, Tensor> tensors = IoFixtures.everyDtype(new Generator(1));
        Path file = dir.resolve("all.safetensors");
        SafeTensors.write(file, tensors);
        assertSameTensors(tensors, SafeTensors.read(file));
    }

    @Test
    void viewsAreWrittenAsTheirRowMajorContents() throws IOException {
        Generator g = new Generator(2);
        Tensor base = random(g, DType.F32, 4, 6);
        Map<String, Tensor> views = new LinkedHashMap<>();
        views.put("transposed", base.t());
        views.put("strided", base.slice(1, 1, 6, 2));
        views.put("offset_row", base.select(0, 2));
        views.put("broadcast", Tensor.of(new long[] {7, -8, 9}, 3, 1).expand(3, 5));
        views.put("i32_permuted", random(g, DType.I32, 2, 3, 4).permute(2, 0, 1));
        Path file = dir.resolve("views.safetensors");
        SafeTensors.write(file, views);
        Map<String, Tensor> read = SafeTensors.read(file);
        assertSameTensors(views, read);
        assertArrayEquals(new float[] {7, 7, 7, 7, 7, -8, -8, -8, -8, -8, 9, 9, 9, 9, 9}, read.get("broadcast").toFloatArray());
    }

    @Test
    void aTensorOverJavaHeapMemoryIsWritten() throws IOException {
        float[] values = {1, 2, 3, 4, 5, 6};
        Tensor heap = Tensor.wrap(Storage.wrap(MemorySegment.ofArray(values)), DType.F32, 1, 2, 2);
        Path file = dir.resolve("heap.safetensors");
        SafeTensors.write(file, Map.of("h", heap));
        assertArrayEquals(new float[] {2, 3, 4, 5}, SafeTensors.read(file).get("h").toFloatArray());
    }

    @Test
    void readKeepsFileOrderEvenWhenTheHeaderListsTensorsOtherwise() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (String name : List.of("zeta", "alpha", "mid", "beta")) {
            tensors.put(name, Tensor.of(new float[] {name.length()}));
        }
        Path file = dir.resolve("order.safetensors");
        SafeTensors.write(file, tensors);
        assertEquals(List.of("zeta", "alpha", "mid", "beta"), List.copyOf(SafeTensors.read(file).keySet()));

        // The header's order does not matter, only the offsets: b's data comes first here.
        String header = "{\"a\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[4,8]},"
                + "\"b\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        Path shuffled = dir.resolve("shuffled.safetensors");
        Files.write(shuffled, IoFixtures.safetensors(header, 8));
        assertEquals(List.of("b", "a"), List.copyOf(SafeTensors.read(shuffled).keySet()));
    }

    @Test
    void metadataRoundTripsAndIsEmptyWhenAbsent() throws IOException {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        metadata.put("note", "quotes \" backslash \\ newline \n tab \t é 权 😀 \u0001");
        Path file = dir.resolve("meta.safetensors");
        SafeTensors.write(file, Map.of("w", Tensor.ones(2)), metadata);
        assertEquals(metadata, SafeTensors.readMetadata(file));
        assertEquals(List.copyOf(metadata.keySet()), List.copyOf(SafeTensors.readMetadata(file).keySet()));

        Path plain = dir.resolve("plain.safetensors");
        SafeTensors.write(plain, Map.of("w", Tensor.ones(2)));
        assertEquals(Map.of(), SafeTensors.readMetadata(plain));
    }

    @Test
    void namesThatNeedEscapingOrAreNotAsciiRoundTrip() throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (String name : List.of("", "a\"b", "back\\slash", "line\nbreak", "ctl\u0007", "poids_é", "权重", "😀", "/slash")) {
            tensors.put(name, Tensor.of(new int[] {name.length()}));
        }
        Path file = dir.resolve("names.safetensors");
        SafeTensors.write(file, tensors);
        assertSameTensors(tensors, SafeTensors.read(file));
    }

    @Test
    void readIsZeroCopyOverOneMappedStorage() throws IOException {
        // Every tensor is a multiple of 8 bytes long, so every one starts aligned and is mapped.
        Generator g = new Generator(3);
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (DType dtype : DType.values()) {
            tensors.put(dtype.name(), random(g, dtype, 2, 4));
        }
        Path file = dir.resolve("mapped.safetensors");
        SafeTensors.write(file, tensors);
        Map<String, Tensor> read = SafeTensors.read(file);
        Tensor first = read.values().iterator().next();
        assertTrue(first.storage().segment().isMapped());
        assertTrue(first.storage().segment().isReadOnly());
        assertEquals(Files.size(file), first.storage().byteSize());
        for (Tensor t : read.values()) {
            assertSame(first.storage(), t.storage(), "every tensor views the one mapping");
        }
        assertSameTensors(tensors, read);
    }

    @Test
    void anEntryNotAlignedToItsElementSizeIsCopiedTheOthersStayMapped() throws IOException {
        // BF16 [3] takes 6 bytes, so the F32 after it starts at data offset 6: not a multiple of 4.
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("half", Tensor.of(new float[] {1, -2, 3}).to(DType.BF16));
        tensors.put("single", Tensor.of(new float[] {0.25f, -0.5f}));
        Path file = dir.resolve("misaligned.safetensors");
        SafeTensors.write(file, tensors);
        Map<String, Tensor> read = SafeTensors.read(file);
        assertSameTensors(tensors, read);
        assertTrue(read.get("half").storage().segment().isMapped());
        assertFalse(read.get("single").storage().segment().isMapped());
    }

    @Test
    void anOddHeaderLengthStillReadsCorrectly() throws IOException {
        // N = 73 (valid: writers pad, but the format does not require it); data starts at byte 81.
        String header = "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        header += " ".repeat(73 - header.length());
        byte[] data = new byte[8];
        ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-3f);
        Path file = dir.resolve("odd.safetensors");
        Files.write(file, IoFixtures.safetensors(73, header.getBytes(), data));
        assertArrayEquals(new float[] {1.5f, -3f}, SafeTensors.read(file).get("x").toFloatArray());
    }

    @Test
    void headerIsPaddedWithSpacesToEightBytes() throws IOException {
        Path file = dir.resolve("pad.safetensors");
        SafeTensors.write(file, Map.of("abc", Tensor.ones(1)));
        byte[] all = Files.readAllBytes(file);
        long n = ByteBuffer.wrap(all).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertEquals(0, n % 8);
        String header = new String(all, 8, (int) n);
        assertEquals("{\"abc\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", header.stripTrailing());
        assertTrue(header.substring(header.stripTrailing().length()).chars().allMatch(c -> c == ' '));
    }

    @Test
    void writeRejectsNamesTheFormatCannotHold() {
        Path file = dir.resolve("bad.safetensors");
        Tensor t = Tensor.ones(1);
        IllegalArgumentException reserved = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(file, Map.of("__metadata__", t)));
        assertTrue(reserved.getMessage().contains("__metadata__"), reserved.getMessage());
        IllegalArgumentException surrogate = assertThrows(IllegalArgumentException.class,
                () -> SafeTensors.write(file, Map.of("bad\uD800", t)));
        assertTrue(surrogate.getMessage().contains("unpaired surrogate"), surrogate.getMessage());
        Map<String, String> nullValue = new HashMap<>();
        nullValue.put("k", null);
        assertThrows(IllegalArgumentException.class, () -> SafeTensors.write(file, Map.of("w", t), nullValue));
        assertFalse(Files.exists(file));
    }

    @Test
    void overwritingAFileThatIsMappedLeavesTheLoadedTensorsIntact() throws IOException {
        Path file = dir.resolve("reloaded.safetensors");
        Tensor before = Tensor.of(new float[] {1, 2, 3});
        SafeTensors.write(file, Map.of("w", before));
        Tensor loaded = SafeTensors.read(file).get("w");
        Tensor after = Tensor.of(new float[] {4, 5, 6, 7});
        SafeTensors.write(file, Map.of("w", after));
        assertSameTensor(before, loaded); // the rename left the old inode mapped
        assertSameTensor(after, SafeTensors.read(file).get("w"));
    }
}
