package dev.tessera.tests.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.io.Json;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small JSON files: what is written reads back exactly (doubles bit for bit but -0.0), and what JSON cannot hold is refused. */
class JsonTest {
    @TempDir
    Path dir;

    @Test
    void valuesRoundTripInOrderAndDoublesBitForBit() throws IOException {
        SplittableRandom random = new SplittableRandom(5);
        double[] doubles = new double[200];
        for (int i = 0; i < doubles.length; i++) {
            // any finite double but -0.0, which a BigDecimal reads as 0
            doubles[i] = random.nextDouble(-1, 1) * Math.pow(2, random.nextInt(-1074, 1024));
        }
        doubles[0] = Double.MIN_VALUE;
        doubles[1] = -Double.MAX_VALUE;
        doubles[2] = 0.1;
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("z first", "tab\t quote\" é 𝄞");
        value.put("a", List.of(Long.MIN_VALUE, Long.MAX_VALUE, true, false, List.of(), Map.of()));
        value.put("null", null);
        value.put("doubles", Arrays.stream(doubles).boxed().toList());
        Path file = dir.resolve("x.json");
        Json.write(file, value);

        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) Json.read(file);
        assertEquals(List.of("z first", "a", "null", "doubles"), new ArrayList<>(back.keySet()));
        assertEquals(value.get("z first"), back.get("z first"));
        assertEquals(List.of(new BigDecimal(Long.MIN_VALUE), new BigDecimal(Long.MAX_VALUE), true, false, List.of(), Map.of()),
                back.get("a"));
        assertTrue(back.containsKey("null") && back.get("null") == null);
        List<?> read = (List<?>) back.get("doubles");
        for (int i = 0; i < doubles.length; i++) {
            assertEquals(Double.doubleToRawLongBits(doubles[i]),
                    Double.doubleToRawLongBits(((BigDecimal) read.get(i)).doubleValue()), "double " + doubles[i]);
        }
    }

    @Test
    void valuesJsonCannotHoldAreRefusedNamingWhereTheySit() {
        Path file = dir.resolve("bad.json");
        IllegalArgumentException nan = assertThrows(IllegalArgumentException.class,
                () -> Json.write(file, Map.of("settings", Map.of("lr", Double.NaN))));
        assertTrue(nan.getMessage().contains("[\"settings\"][\"lr\"] is NaN"), nan.getMessage());
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class,
                () -> Json.write(file, List.of(new Object())));
        assertTrue(type.getMessage().contains("the value[0] is a java.lang.Object"), type.getMessage());
        assertTrue(!Files.exists(file), "nothing is written");
    }

    @Test
    void badFilesAreRefusedNamingTheFileAndTheCharacter() throws IOException {
        Path file = dir.resolve("broken.json");
        Files.writeString(file, "{\"a\": 1,}");
        IOException comma = assertThrows(IOException.class, () -> Json.read(file));
        assertTrue(comma.getMessage().startsWith(file + ": file is not valid JSON"), comma.getMessage());
        assertTrue(comma.getMessage().contains("at character 8 of the file"), comma.getMessage());
        Files.write(file, new byte[] {'"', (byte) 0xC3, '"'});
        IOException utf8 = assertThrows(IOException.class, () -> Json.read(file));
        assertTrue(utf8.getMessage().contains("not valid UTF-8"), utf8.getMessage());
        Files.writeString(file, "{\"a\": 1} 2", StandardCharsets.UTF_8);
        assertThrows(IOException.class, () -> Json.read(file));
    }
}
