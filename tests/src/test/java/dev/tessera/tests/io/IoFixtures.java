package dev.tessera.tests.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Tensors, hand-made files and assertions that the io tests share. */
final class IoFixtures {
    private IoFixtures() {}

    /** The raw bytes of a tensor's elements in row-major order. */
    static byte[] bytes(Tensor t) {
        Tensor c = t.contiguous();
        long size = c.dtype().byteSize();
        return c.storage().segment().asSlice(c.offset() * size, c.numel() * size).toArray(ValueLayout.JAVA_BYTE);
    }

    /** Same dtype, same shape, same bits. */
    static void assertSameTensor(Tensor expected, Tensor actual) {
        assertEquals(expected.dtype(), actual.dtype());
        assertArrayEquals(expected.shape(), actual.shape());
        assertArrayEquals(bytes(expected), bytes(actual));
    }

    static void assertSameTensors(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet().stream().toList(), actual.keySet().stream().toList(), "names in order");
        expected.forEach((name, t) -> assertSameTensor(t, actual.get(name)));
    }

    /** A random tensor of {@code dtype}: normals for floats, small integers for ints, coin flips for BOOL. */
    static Tensor random(Generator g, DType dtype, long... shape) {
        return switch (dtype) {
            case F32, F64, BF16, F16 -> Tensor.randn(g, shape).to(dtype);
            case I32, I64 -> Tensor.randint(g, -1000, 1000, shape).to(dtype);
            case BOOL -> Tensor.randint(g, 0, 2, shape).to(dtype);
        };
    }

    /** One tensor of every dtype, plus a 0-d one and a size-0 one. */
    static Map<String, Tensor> everyDtype(Generator g) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (DType dtype : DType.values()) {
            tensors.put("t_" + dtype.name().toLowerCase(), random(g, dtype, 2, 3));
        }
        tensors.put("scalar", random(g, DType.F64));
        tensors.put("empty", random(g, DType.I32, 4, 0));
        return tensors;
    }

    /** A safetensors file from its parts: the length field {@code n}, the header bytes, the data. */
    static byte[] safetensors(long n, byte[] header, byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(n).array());
        out.writeBytes(header);
        out.writeBytes(data);
        return out.toByteArray();
    }

    /** A safetensors file with this header JSON (its true length) and {@code dataBytes} zero bytes of data. */
    static byte[] safetensors(String headerJson, int dataBytes) {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        return safetensors(header.length, header, new byte[dataBytes]);
    }

    /** Path of a file under src/test/resources/golden. */
    static Path golden(String name) {
        try {
            return Path.of(IoFixtures.class.getResource("/golden/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new AssertionError(e);
        }
    }

    /** Asserts that reading fails with an IOException whose message names the file and holds every fragment. */
    static IOException assertCorrupt(Path file, IoRead read, String... fragments) {
        IOException e = assertThrows(IOException.class, () -> read.apply(file));
        String message = e.getMessage();
        assertTrue(message.startsWith(file.toString()), "message names the file: " + message);
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), "message holds \"" + fragment + "\": " + message);
        }
        return e;
    }

    /** A reader under test. */
    interface IoRead {
        Object apply(Path file) throws IOException;
    }
}
