package dev.tessera.bench.gpu;

import java.util.Locale;

/** One JSON object on one line, built field by field (strings, numbers, booleans; no nesting). */
final class JsonLine {
    private final StringBuilder text = new StringBuilder("{");

    JsonLine put(String key, String value) {
        field(key).append(quote(value)).append(',');
        return this;
    }

    JsonLine put(String key, double value) {
        field(key).append(Double.isFinite(value) ? String.format(Locale.ROOT, "%.6g", value) : "null").append(',');
        return this;
    }

    JsonLine put(String key, long value) {
        field(key).append(value).append(',');
        return this;
    }

    JsonLine put(String key, boolean value) {
        field(key).append(value).append(',');
        return this;
    }

    private StringBuilder field(String key) {
        return text.append(quote(key)).append(':');
    }

    @Override
    public String toString() {
        int end = text.length() - (text.charAt(text.length() - 1) == ',' ? 1 : 0);
        return text.substring(0, end) + "}";
    }

    private static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }
}
