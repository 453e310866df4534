package dev.tessera.tests.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Storage;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.io.Npy;
import dev.tessera.tensor.io.SafeTensors;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writers go through a temporary file and a rename: success leaves only the target, failure leaves the old file. */
class AtomicWriteTest {
    @TempDir
    Path dir;

    private List<Path> folder() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    /** A tensor whose memory is gone: reading its data throws part-way through a write. */
    private static Tensor unreadable() {
        Arena arena = Arena.ofShared();
        Tensor t = Tensor.wrap(Storage.wrap(arena.allocate(64)), DType.F32, 0, 16);
        arena.close();
        return t;
    }

    @Test
    void successLeavesOnlyTheTarget() throws IOException {
        Path st = dir.resolve("w.safetensors");
        Path npy = dir.resolve("w.npy");
        for (int round = 0; round < 2; round++) {
            SafeTensors.write(st, Map.of("w", Tensor.full(round, 3)));
            Npy.write(npy, Tensor.full(round, 3));
        }
        assertEquals(List.of(npy, st), folder().stream().sorted().toList());
        assertArrayEquals(new float[] {1, 1, 1}, SafeTensors.read(st).get("w").toFloatArray());
        assertArrayEquals(new float[] {1, 1, 1}, Npy.read(npy).toFloatArray());
    }

    @Test
    void aSafetensorsWriteThatFailsPartWayLeavesThePreviousFileIntact() throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, Map.of("w", Tensor.ones(8)));
        byte[] before = Files.readAllBytes(file);
        Map<String, Tensor> failing = new LinkedHashMap<>();
        failing.put("fine", Tensor.zeros(1000)); // written before the failure
        failing.put("gone", unreadable());
        assertThrows(IllegalStateException.class, () -> SafeTensors.write(file, failing));
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of(file), folder(), "the temporary file is removed");
    }

    @Test
    void anNpyWriteThatFailsPartWayLeavesThePreviousFileIntact() throws IOException {
        Path file = dir.resolve("x.npy");
        Npy.write(file, Tensor.ones(8));
        byte[] before = Files.readAllBytes(file);
        assertThrows(IllegalStateException.class, () -> Npy.write(file, unreadable()));
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of(file), folder());
    }

    @Test
    void aMissingFolderIsAnIOExceptionAndCreatesNothing() throws IOException {
        Path file = dir.resolve("no/such/folder/w.safetensors");
        assertThrows(NoSuchFileException.class, () -> SafeTensors.write(file, Map.of("w", Tensor.ones(1))));
        assertEquals(List.of(), folder());
    }
}
