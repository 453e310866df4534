package dev.tessera.tensor.io;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Small JSON files written beside tensor files, such as a checkpoint's {@code trainer.json}: read
 * with the strict parser of the safetensors header, written under a temporary name and renamed.
 *
 * <p>Values are {@code Map<String, Object>} (in the file's order), {@code List<Object>},
 * {@link String}, {@link BigDecimal} (a number exactly as written, so a long or a double that
 * was written reads back bit for bit, but for -0.0, which reads back as 0), {@link Boolean} and
 * {@code null}.
 */
public final class Json {
    /** More than any settings file needs; a bigger one is not what the caller thinks it is. */
    static final long MAX_BYTES = 16 << 20;
    private static final String INDENT = "  ";

    private Json() {}

    /**
     * The value in {@code file}: strict UTF-8, strict JSON (see {@link HeaderJson}), nothing after
     * the value but whitespace.
     *
     * @throws IOException naming the file and the character where it breaks, if it cannot be read or is not such JSON
     */
    public static Object read(Path file) throws IOException {
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw CorruptFile.error(file, "the file is " + size + " bytes long, more than the " + MAX_BYTES
                    + " a JSON settings file may be");
        }
        String text = StrictUtf8.decode(file, Files.readAllBytes(file), "the file");
        return numbersAsBigDecimal(HeaderJson.parse(text, file, "file"));
    }

    /**
     * Writes {@code value} as indented JSON in UTF-8, atomically (see {@link SafeTensors#write}).
     * Maps need String keys; numbers may be any {@link Number} but a finite one (JSON has no NaN or
     * infinity); a double is written as {@link Double#toString}, the shortest text that reads back
     * as the same double.
     *
     * @throws IllegalArgumentException for a value JSON cannot hold, naming where it sits
     */
    public static void write(Path file, Object value) throws IOException {
        StringBuilder out = new StringBuilder();
        append(out, value, "", "the value");
        out.append('\n');
        byte[] bytes = out.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(file, channel -> {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        });
    }

    /** "a string", "an object", "the number 3"...: what a value read by {@link #read} is, for messages. */
    public static String describe(Object value) {
        return value instanceof BigDecimal n ? "the number " + n : HeaderJson.describe(value);
    }

    private static Object numbersAsBigDecimal(Object value) {
        return switch (value) {
            case HeaderJson.JsonNumber(String literal) -> new BigDecimal(literal);
            case Map<?, ?> map -> {
                Map<String, Object> out = new LinkedHashMap<>();
                map.forEach((key, item) -> out.put((String) key, numbersAsBigDecimal(item)));
                yield out;
            }
            case List<?> list -> {
                List<Object> out = new ArrayList<>();
                list.forEach(item -> out.add(numbersAsBigDecimal(item)));
                yield out;
            }
            case null, default -> value;
        };
    }

    private static void append(StringBuilder out, Object value, String indent, String where) {
        switch (value) {
            case null -> out.append("null");
            case String s -> HeaderJson.quote(out, s, "Json.write");
            case Boolean b -> out.append(b);
            case Double d -> out.append(finite(d, where));
            case Float f -> out.append(finite(f.doubleValue(), where));
            case Number n -> out.append(n);
            case Map<?, ?> map -> appendObject(out, map, indent, where);
            case List<?> list -> appendArray(out, list, indent, where);
            default -> throw new IllegalArgumentException("Json.write: " + where + " is a "
                    + value.getClass().getName() + ", which JSON cannot hold");
        }
    }

    private static void appendObject(StringBuilder out, Map<?, ?> map, String indent, String where) {
        if (map.isEmpty()) {
            out.append("{}");
            return;
        }
        String inner = indent + INDENT;
        out.append("{\n");
        String separator = "";
        for (Map.Entry<?, ?> member : map.entrySet()) {
            if (!(member.getKey() instanceof String key)) {
                throw new IllegalArgumentException("Json.write: " + where + " has the key " + member.getKey()
                        + "; JSON keys are strings");
            }
            out.append(separator).append(inner);
            HeaderJson.quote(out, key, "Json.write");
            out.append(": ");
            append(out, member.getValue(), inner, where + "[\"" + key + "\"]");
            separator = ",\n";
        }
        out.append('\n').append(indent).append('}');
    }

    private static void appendArray(StringBuilder out, List<?> list, String indent, String where) {
        if (list.isEmpty()) {
            out.append("[]");
            return;
        }
        String inner = indent + INDENT;
        out.append("[\n");
        for (int i = 0; i < list.size(); i++) {
            out.append(i == 0 ? "" : ",\n").append(inner);
            append(out, list.get(i), inner, where + "[" + i + "]");
        }
        out.append('\n').append(indent).append(']');
    }

    private static String finite(double d, String where) {
        if (!Double.isFinite(d)) {
            throw new IllegalArgumentException("Json.write: " + where + " is " + d + ", which JSON cannot hold");
        }
        return Double.toString(d);
    }
}
