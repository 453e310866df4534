package dev.tessera.tests.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.io.Npy;
import dev.tessera.tensor.io.SafeTensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.statistics.Statistics;

/**
 * Damages valid files at random (flipped bytes, truncation, overwritten header bytes, a grown
 * header length field) and reads them: every result must be read correctly or rejected with an
 * IOException that names the file, never another exception or a crash.
 */
class CorruptionPropertyTest {
    private static final Path DIR = createDir();
    private static final Map<String, Tensor> TENSORS = IoFixtures.everyDtype(new Generator(11));
    private static final byte[] SAFETENSORS = validSafetensors();
    private static final List<String> NPY_GOLDEN = List.of("f4_2x3.npy", "f8_fortran_2x3.npy", "i4_big_endian.npy",
            "b1_2x2.npy", "f2_scalar.npy", "f4_v2.npy", "f4_v3.npy");

    /**
     * One kind of damage; positions are taken modulo the file (or header) length, and damage
     * that does not fit a file already cut short leaves it as it is.
     */
    sealed interface Damage {
        byte[] apply(byte[] file, int headerEnd, int lengthFieldAt);
    }

    record FlipBytes(List<Integer> positions, List<Integer> masks) implements Damage {
        @Override
        public byte[] apply(byte[] file, int headerEnd, int lengthFieldAt) {
            byte[] out = file.clone();
            for (int i = 0; i < positions.size() && out.length > 0; i++) {
                out[Math.floorMod(positions.get(i), out.length)] ^= masks.get(i).byteValue();
            }
            return out;
        }
    }

    /** Flips bytes of the data only: the header stays valid, so the file must still read (BOOL aside). */
    record FlipData(List<Integer> positions, List<Integer> masks) implements Damage {
        @Override
        public byte[] apply(byte[] file, int headerEnd, int lengthFieldAt) {
            byte[] out = file.clone();
            for (int i = 0; i < positions.size() && out.length > headerEnd; i++) {
                out[headerEnd + Math.floorMod(positions.get(i), out.length - headerEnd)] ^= masks.get(i).byteValue();
            }
            return out;
        }
    }

    record Truncate(int length) implements Damage {
        @Override
        public byte[] apply(byte[] file, int headerEnd, int lengthFieldAt) {
            return Arrays.copyOf(file, Math.floorMod(length, file.length + 1));
        }
    }

    record OverwriteHeader(int at, byte[] bytes) implements Damage {
        @Override
        public byte[] apply(byte[] file, int headerEnd, int lengthFieldAt) {
            byte[] out = file.clone();
            int end = Math.min(headerEnd, out.length);
            if (end > 0) {
                int start = Math.floorMod(at, end);
                System.arraycopy(bytes, 0, out, start, Math.min(bytes.length, end - start));
            }
            return out;
        }
    }

    /** Adds to the header length field (a u64 in safetensors, a u16 or u32 in .npy; wraps around). */
    record GrowHeaderLength(long delta) implements Damage {
        @Override
        public byte[] apply(byte[] file, int headerEnd, int lengthFieldAt) {
            byte[] out = file.clone();
            if (out.length < 12) {
                return out;
            }
            ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
            switch (lengthFieldAt) {
                case 0 -> b.putLong(0, b.getLong(0) + delta);
                case 8 -> b.putShort(8, (short) (b.getShort(8) + delta));
                default -> b.putInt(8, (int) (b.getInt(8) + delta));
            }
            return out;
        }
    }

    @Provide
    Arbitrary<List<Damage>> damages() {
        Arbitrary<Integer> position = Arbitraries.integers().greaterOrEqual(0);
        Arbitrary<List<Integer>> positions = position.list().ofMinSize(1).ofMaxSize(8);
        Arbitrary<List<Integer>> masks = Arbitraries.integers().between(1, 255).list().ofSize(8);
        Arbitrary<Damage> flip = Combinators.combine(positions, masks).as(FlipBytes::new);
        Arbitrary<Damage> flipData = Combinators.combine(positions, masks).as(FlipData::new);
        Arbitrary<Damage> truncate = position.map(Truncate::new);
        // Random bytes, and bytes that make JSON or Python almost right, which reach deeper checks.
        Arbitrary<byte[]> noise = Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(12),
                Arbitraries.strings().withChars("{}[]\"',:0123456789-.eE ()TrueFals\\u").ofMinLength(1).ofMaxLength(6)
                        .map(String::getBytes));
        Arbitrary<Damage> overwrite = Combinators.combine(position, noise).as(OverwriteHeader::new);
        Arbitrary<Damage> grow = Arbitraries.oneOf(Arbitraries.longs().between(1, 64), Arbitraries.longs())
                .map(GrowHeaderLength::new);
        return Arbitraries.oneOf(flip, flipData, truncate, overwrite, grow).list().ofMinSize(1).ofMaxSize(3);
    }

    @Provide
    Arbitrary<String> npyFiles() {
        return Arbitraries.of(NPY_GOLDEN);
    }

    @Property(tries = 1000)
    void damagedSafetensorsReadCorrectlyOrFailWithIOException(@ForAll("damages") List<Damage> damages) throws IOException {
        int headerEnd = 8 + (int) ByteBuffer.wrap(SAFETENSORS).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        byte[] damaged = SAFETENSORS;
        for (Damage d : damages) {
            damaged = d.apply(damaged, headerEnd, 0);
        }
        Path file = write(damaged);
        boolean sameHeader = sameHeader(damaged, SAFETENSORS, headerEnd);
        try {
            Map<String, Tensor> read = SafeTensors.read(file);
            read.values().forEach(IoFixtures::bytes); // touch every byte of data
            if (Arrays.equals(damaged, SAFETENSORS)) {
                IoFixtures.assertSameTensors(TENSORS, read);
            } else if (sameHeader) {
                assertSameLayout(TENSORS, read);
            }
            Statistics.label("outcome").collect(sameHeader ? "read, header intact" : "read, header changed");
        } catch (IOException e) {
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            // With the header intact only the data changed, and the only data a reader checks is BOOL's.
            assertTrue(!sameHeader || e.getMessage().contains("BOOL"), e.getMessage());
            Statistics.label("outcome").collect("rejected");
        } finally {
            Files.delete(file);
        }
    }

    @Property(tries = 1000)
    void damagedNpyReadCorrectlyOrFailWithIOException(@ForAll("npyFiles") String name,
            @ForAll("damages") List<Damage> damages) throws IOException {
        byte[] original = Files.readAllBytes(IoFixtures.golden(name));
        Tensor expected = Npy.read(IoFixtures.golden(name));
        int lengthField = original[6] == 1 ? 8 : 9; // u16 for version 1.0, u32 after
        int headerEnd = (int) (original.length - expected.numel() * expected.dtype().byteSize());
        byte[] damaged = original;
        for (Damage d : damages) {
            damaged = d.apply(damaged, headerEnd, lengthField);
        }
        Path file = write(damaged);
        boolean sameHeader = sameHeader(damaged, original, headerEnd);
        try {
            Tensor read = Npy.read(file);
            IoFixtures.bytes(read);
            if (Arrays.equals(damaged, original)) {
                IoFixtures.assertSameTensor(expected, read);
            } else if (sameHeader) {
                assertEquals(expected.dtype(), read.dtype());
                assertArrayEquals(expected.shape(), read.shape());
            }
            Statistics.label("outcome").collect(sameHeader ? "read, header intact" : "read, header changed");
        } catch (IOException e) {
            assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
            assertTrue(!sameHeader || e.getMessage().contains("BOOL"), e.getMessage());
            Statistics.label("outcome").collect("rejected");
        } finally {
            Files.delete(file);
        }
    }

    private static boolean sameHeader(byte[] damaged, byte[] original, int headerEnd) {
        return damaged.length == original.length && Arrays.equals(damaged, 0, headerEnd, original, 0, headerEnd);
    }

    private static void assertSameLayout(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
        expected.forEach((name, t) -> {
            assertEquals(t.dtype(), actual.get(name).dtype());
            assertArrayEquals(t.shape(), actual.get(name).shape());
        });
    }

    private static Path write(byte[] bytes) throws IOException {
        Path file = Files.createTempFile(DIR, "damaged", ".bin");
        Files.write(file, bytes);
        return file;
    }

    private static Path createDir() {
        try {
            return Files.createTempDirectory("tessera-corruption");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] validSafetensors() {
        try {
            Path file = DIR.resolve("valid.safetensors");
            SafeTensors.write(file, TENSORS, Map.of("framework", "tessera", "note", "for the damage property"));
            byte[] bytes = Files.readAllBytes(file);
            Files.delete(file);
            return bytes;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @AfterContainer
    static void removeDir() throws IOException {
        Files.deleteIfExists(DIR);
    }
}
