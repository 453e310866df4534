package dev.tessera.tensor.io;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Shape;
import dev.tessera.tensor.Tensor;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The header of a safetensors file, read and checked against the file, or written.
 *
 * <p>The layout: an unsigned little-endian 64-bit length {@code N}, then {@code N} bytes of
 * UTF-8 JSON that start with '{' (writers pad it with spaces to a multiple of 8 so that the data
 * is aligned), then the data section. The JSON maps each tensor's name to its dtype, shape and
 * {@code data_offsets} [begin, end) in the data section; the optional {@code __metadata__} key
 * maps strings to strings. As the format requires, the tensors must cover the data section
 * exactly: sorted by offset, each begins where the previous one ends, the first at 0 and the
 * last ends at the end of the file; no gaps, no overlaps, no trailing bytes.
 *
 * @param byteSize the header's length {@code N} in bytes, padding included
 * @param entries the tensors in file order (by data offset)
 * @param metadata the {@code __metadata__} map, empty when absent
 */
record SafeTensorsHeader(long byteSize, List<Entry> entries, Map<String, String> metadata) {
    /** The largest header the reference implementation accepts; more is corruption or abuse. */
    static final long MAX_HEADER_BYTES = 100_000_000;
    static final String METADATA_KEY = "__metadata__";
    private static final Set<String> FIELDS = Set.of("dtype", "shape", "data_offsets");
    private static final ValueLayout.OfLong LENGTH = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** One tensor: {@code begin} and {@code end} count bytes from the start of the data section. */
    record Entry(String name, DType dtype, long[] shape, long begin, long end) {
        String where() {
            return "tensor '" + name + "' (" + dtype + " " + Shape.str(shape) + ", data_offsets [" + begin + ", " + end + "])";
        }
    }

    /** Reads and checks the header of a whole file mapped as {@code file}, before any data is touched. */
    static SafeTensorsHeader read(Path file, MemorySegment mapped) throws IOException {
        long fileSize = mapped.byteSize();
        if (fileSize < Long.BYTES) {
            throw CorruptFile.error(file, "the file is " + fileSize
                    + " bytes long, too short for the 8-byte header length a safetensors file starts with");
        }
        long n = mapped.get(LENGTH, 0);
        if (n < 0 || n > MAX_HEADER_BYTES) {
            throw CorruptFile.error(file, "the header length field says " + Long.toUnsignedString(n)
                    + " bytes, more than the " + MAX_HEADER_BYTES + " the format allows: not a safetensors file, or a corrupt one");
        }
        if (n > fileSize - Long.BYTES) {
            throw CorruptFile.error(file, "the header length field says " + n + " bytes but only " + (fileSize - Long.BYTES)
                    + " bytes follow it: the file is truncated or the field is corrupt");
        }
        String json = StrictUtf8.decode(file, mapped.asSlice(Long.BYTES, n).toArray(ValueLayout.JAVA_BYTE), "the header");
        if (json.isEmpty() || json.charAt(0) != '{') {
            throw CorruptFile.error(file, "the header must start with '{' but starts with "
                    + (json.isEmpty() ? "nothing (it is empty)" : String.format("U+%04X", (int) json.charAt(0))));
        }
        @SuppressWarnings("unchecked") // a text starting with '{' parses to an object
        Map<String, Object> root = (Map<String, Object>) HeaderJson.parse(json, file);
        Map<String, String> metadata = Map.of();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, Object> member : root.entrySet()) {
            if (member.getKey().equals(METADATA_KEY)) {
                metadata = metadata(file, member.getValue());
            } else {
                entries.add(entry(file, member.getKey(), member.getValue()));
            }
        }
        // Stable: empty tensors sharing an offset keep the header's order.
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        checkCoverage(file, entries, fileSize - Long.BYTES - n);
        return new SafeTensorsHeader(n, List.copyOf(entries), metadata);
    }

    /**
     * The length field and the padded header for {@code tensors} laid out back to back in map
     * order, as the bytes that start the file.
     */
    static byte[] encode(Map<String, Tensor> tensors, Map<String, String> metadata) {
        StringBuilder json = new StringBuilder("{");
        String comma = "";
        if (!metadata.isEmpty()) {
            HeaderJson.quote(json, METADATA_KEY);
            json.append(":{");
            String separator = "";
            for (Map.Entry<String, String> item : metadata.entrySet()) {
                if (item.getKey() == null || item.getValue() == null) {
                    throw new IllegalArgumentException("SafeTensors.write: metadata may not hold null, got " + item);
                }
                json.append(separator);
                HeaderJson.quote(json, item.getKey());
                json.append(':');
                HeaderJson.quote(json, item.getValue());
                separator = ",";
            }
            json.append('}');
            comma = ",";
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> item : tensors.entrySet()) {
            String name = item.getKey();
            Tensor t = item.getValue();
            if (name == null || t == null || name.equals(METADATA_KEY)) {
                throw new IllegalArgumentException("SafeTensors.write: tensor names must be non-null and not \""
                        + METADATA_KEY + "\", tensors non-null; got " + name + " -> " + (t == null ? null : "a tensor"));
            }
            long bytes = t.numel() * t.dtype().byteSize();
            json.append(comma);
            comma = ",";
            HeaderJson.quote(json, name);
            json.append(":{\"dtype\":\"").append(code(t.dtype())).append("\",\"shape\":[");
            json.append(String.join(",", Arrays.stream(t.shape()).mapToObj(Long::toString).toList()));
            json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        json.append('}');
        byte[] text = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (text.length + 7) / 8 * 8;
        if (padded > MAX_HEADER_BYTES) {
            throw new IllegalArgumentException("SafeTensors.write: the header would be " + padded
                    + " bytes, more than the " + MAX_HEADER_BYTES + " that readers accept");
        }
        byte[] out = new byte[Long.BYTES + padded];
        MemorySegment.ofArray(out).set(LENGTH, 0, padded);
        System.arraycopy(text, 0, out, Long.BYTES, text.length);
        Arrays.fill(out, Long.BYTES + text.length, out.length, (byte) ' ');
        return out;
    }

    /** The format's name for a dtype; every Tessera dtype has one. */
    static String code(DType dtype) {
        return switch (dtype) {
            case F32 -> "F32";
            case F64 -> "F64";
            case BF16 -> "BF16";
            case F16 -> "F16";
            case I32 -> "I32";
            case I64 -> "I64";
            case BOOL -> "BOOL";
        };
    }

    private static DType dtype(String code) {
        for (DType d : DType.values()) {
            if (code(d).equals(code)) {
                return d;
            }
        }
        return null;
    }

    private static Map<String, String> metadata(Path file, Object value) throws IOException {
        if (!(value instanceof Map<?, ?> map)) {
            throw CorruptFile.error(file, METADATA_KEY + " must be an object of strings, found " + HeaderJson.describe(value));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Map.Entry<?, ?> item : map.entrySet()) {
            if (!(item.getValue() instanceof String s)) {
                throw CorruptFile.error(file, METADATA_KEY + " value of \"" + item.getKey() + "\" must be a string, found "
                        + HeaderJson.describe(item.getValue()));
            }
            metadata.put((String) item.getKey(), s);
        }
        return Collections.unmodifiableMap(metadata);
    }

    private static Entry entry(Path file, String name, Object value) throws IOException {
        String where = "tensor '" + name + "'";
        if (!(value instanceof Map<?, ?> fields)) {
            throw CorruptFile.error(file, where + ": expected an object with \"dtype\", \"shape\" and \"data_offsets\", found "
                    + HeaderJson.describe(value));
        }
        for (Object key : fields.keySet()) {
            if (!FIELDS.contains(key)) {
                throw CorruptFile.error(file, where + ": unknown field \"" + key + "\" (expected dtype, shape, data_offsets)");
            }
        }
        Object code = field(file, where, fields, "dtype");
        DType dtype = code instanceof String s ? dtype(s) : null;
        if (dtype == null) {
            String found = code instanceof String s ? "\"" + s + "\"" : HeaderJson.describe(code);
            throw CorruptFile.error(file, where + ": unsupported dtype " + found
                    + " (Tessera reads F32, F64, BF16, F16, I32, I64, BOOL)");
        }
        long[] shape = naturals(file, where, "shape", field(file, where, fields, "shape"));
        long[] offsets = naturals(file, where, "data_offsets", field(file, where, fields, "data_offsets"));
        if (offsets.length != 2) {
            throw CorruptFile.error(file, where + ": data_offsets must be [begin, end], found " + offsets.length + " numbers");
        }
        Entry entry = new Entry(name, dtype, shape, offsets[0], offsets[1]);
        if (entry.end < entry.begin) {
            throw CorruptFile.error(file, entry.where() + ": the offsets are out of order, end before begin");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(Shape.numel(shape), dtype.byteSize());
        } catch (ArithmeticException tooBig) {
            throw CorruptFile.error(file, entry.where() + ": the shape holds more bytes than a long can count");
        }
        if (bytes != entry.end - entry.begin) {
            throw CorruptFile.error(file, entry.where() + ": the shape needs " + bytes + " bytes but the offsets span "
                    + (entry.end - entry.begin));
        }
        return entry;
    }

    private static Object field(Path file, String where, Map<?, ?> fields, String key) throws IOException {
        if (!fields.containsKey(key)) {
            throw CorruptFile.error(file, where + ": missing \"" + key + "\"");
        }
        return fields.get(key);
    }

    /** An array of integers in [0, Long.MAX_VALUE]. */
    private static long[] naturals(Path file, String where, String field, Object value) throws IOException {
        if (!(value instanceof List<?> list)) {
            throw CorruptFile.error(file, where + ": " + field + " must be an array of non-negative integers, found "
                    + HeaderJson.describe(value));
        }
        long[] out = new long[list.size()];
        for (int i = 0; i < out.length; i++) {
            Object item = list.get(i);
            String literal = item instanceof HeaderJson.JsonNumber(String text) ? text : null;
            String problem = literal == null ? HeaderJson.describe(item) + ", not a number"
                    : literal.startsWith("-") ? literal + ", negative"
                    : !literal.chars().allMatch(c -> c >= '0' && c <= '9') ? literal + ", not an integer"
                    : literal.length() > 19 || (literal.length() == 19 && literal.compareTo("9223372036854775807") > 0)
                            ? literal + ", absurdly large"
                    : null;
            if (problem != null) {
                throw CorruptFile.error(file, where + ": " + field + "[" + i + "] is " + problem);
            }
            out[i] = Long.parseLong(literal);
        }
        return out;
    }

    /** The entries, sorted by offset, must tile [0, dataBytes) exactly. */
    private static void checkCoverage(Path file, List<Entry> entries, long dataBytes) throws IOException {
        long covered = 0;
        Entry previous = null;
        for (Entry e : entries) {
            if (e.end > dataBytes) {
                throw CorruptFile.error(file, e.where() + " runs past the end of the data section, which holds "
                        + dataBytes + " bytes: the file is truncated or the offsets are corrupt");
            }
            if (e.begin < covered) {
                throw CorruptFile.error(file, e.where() + " overlaps " + previous.where());
            }
            if (e.begin > covered) {
                throw CorruptFile.error(file, "bytes [" + covered + ", " + e.begin + ") of the data section belong to no tensor"
                        + " (a gap before " + e.where() + "); the format requires the tensors to cover the data exactly");
            }
            covered = e.end;
            previous = e;
        }
        if (covered != dataBytes) {
            throw CorruptFile.error(file, "bytes [" + covered + ", " + dataBytes + ") at the end of the data section belong to no"
                    + " tensor; the format requires the tensors to cover the data exactly");
        }
    }
}
