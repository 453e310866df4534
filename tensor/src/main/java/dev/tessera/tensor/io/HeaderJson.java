package dev.tessera.tensor.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict JSON parser (RFC 8259) for safetensors headers and small JSON files ({@link Json}),
 * and the string quoting their writers need. Values come back as {@code Map<String, Object>} (a
 * {@link LinkedHashMap} in the text's order), {@code List<Object>}, {@link String},
 * {@link JsonNumber}, {@link Boolean} or {@code null}.
 *
 * <p>Strict means: no comments, no trailing commas, no leading zeros, no unescaped control
 * characters, no unpaired surrogates, no duplicate keys in an object (the safetensors format
 * forbids them), and nesting at most {@value #MAX_DEPTH} deep so that a hostile header cannot
 * overflow the stack. Every violation is an {@link IOException} naming the file and the
 * character where it happened.
 */
final class HeaderJson extends HeaderScanner {
    /** A number exactly as written; the caller decides which numbers it accepts. */
    record JsonNumber(String literal) {}

    static final int MAX_DEPTH = 64;

    private HeaderJson(String text, Path file, String subject) {
        super(text, file, subject + " is not valid JSON", subject);
    }

    /** Parses {@code text}, which must hold one JSON value with nothing but whitespace after it. */
    static Object parse(String text, Path file) throws IOException {
        return parse(text, file, "header");
    }

    /** As {@link #parse(String, Path)}; messages call the text {@code subject} ("header", "file"). */
    static Object parse(String text, Path file, String subject) throws IOException {
        HeaderJson parser = new HeaderJson(text, file, subject);
        parser.skipWhitespace();
        Object value = parser.value(0);
        parser.expectEnd("the end of the JSON value");
        return value;
    }

    /** Appends {@code s} as a JSON string literal; non-ASCII characters are written as they are (UTF-8 on disk). */
    static void quote(StringBuilder out, String s) {
        quote(out, s, "SafeTensors.write");
    }

    /** As {@link #quote(StringBuilder, String)}; {@code op} names the writer in the error for an unpaired surrogate. */
    static void quote(StringBuilder out, String s, String op) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c) && !isPairAt(s, i)) {
                throw new IllegalArgumentException(op + ": the string \"" + s
                        + "\" has an unpaired surrogate at index " + i + ", which UTF-8 cannot encode");
            }
            if (Character.isHighSurrogate(c)) {
                out.append(c).append(s.charAt(++i));
                continue;
            }
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    private static boolean isPairAt(String s, int i) {
        return Character.isHighSurrogate(s.charAt(i)) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
    }

    /** "a string", "an object"...: what a parsed value is, for messages. */
    static String describe(Object value) {
        return switch (value) {
            case null -> "null";
            case String s -> "the string \"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
            case JsonNumber n -> "the number " + n.literal();
            case Boolean b -> b.toString();
            case Map<?, ?> m -> "an object";
            case List<?> l -> "an array";
            default -> value.getClass().getSimpleName();
        };
    }

    private Object value(int depth) throws IOException {
        if (pos >= text.length()) {
            throw error("the " + subject + " ends where a value was expected");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", null);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw error("expected a value, found " + describeNext());
            }
        };
    }

    private Map<String, Object> object(int depth) throws IOException {
        checkDepth(depth);
        pos++; // '{'
        Map<String, Object> members = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return members;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("expected a string key, found " + describeNext());
            }
            int keyAt = pos;
            String key = string();
            skipWhitespace();
            expect(':', "after the key \"" + key + "\"");
            skipWhitespace();
            Object value = value(depth);
            if (members.containsKey(key)) {
                throw CorruptFile.error(file, subject + " has the key \"" + key + "\" twice in one object (second at character "
                        + keyAt + "); duplicate keys are not allowed");
            }
            members.put(key, value);
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return members;
            }
            expect(',', "or '}' after the value of \"" + key + "\"");
        }
    }

    private List<Object> array(int depth) throws IOException {
        checkDepth(depth);
        pos++; // '['
        List<Object> elements = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return elements;
        }
        while (true) {
            skipWhitespace();
            elements.add(value(depth));
            skipWhitespace();
            if (peek() == ']') {
                pos++;
                return elements;
            }
            expect(',', "or ']' in an array");
        }
    }

    private String string() throws IOException {
        int start = pos;
        pos++; // '"'
        StringBuilder out = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("the string that starts at character " + start + " is never closed");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return out.toString();
            }
            if (c < 0x20) {
                throw error("control character 0x" + Integer.toHexString(c) + " inside a string (it must be escaped)", pos - 1);
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw error("the " + subject + " ends inside an escape sequence");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> out.append(e);
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> out.append(unicodeEscape());
                default -> throw error("invalid escape \\" + e + " in a string", pos - 2);
            }
        }
    }

    /** The characters of a {@code \\uXXXX} escape (pos is after the 'u'); a surrogate must come as a pair. */
    private String unicodeEscape() throws IOException {
        int escapeAt = pos - 2;
        char c = hex4();
        if (Character.isLowSurrogate(c)) {
            throw error("unpaired low surrogate \\u" + Integer.toHexString(c) + " in a string", escapeAt);
        }
        if (!Character.isHighSurrogate(c)) {
            return String.valueOf(c);
        }
        if (!text.startsWith("\\u", pos)) {
            throw error("unpaired high surrogate \\u" + Integer.toHexString(c) + " in a string", escapeAt);
        }
        pos += 2;
        char low = hex4();
        if (!Character.isLowSurrogate(low)) {
            throw error("high surrogate \\u" + Integer.toHexString(c) + " is not followed by a low surrogate", escapeAt);
        }
        return new String(new char[] {c, low});
    }

    private char hex4() throws IOException {
        if (pos + 4 > text.length()) {
            throw error("the " + subject + " ends inside a \\u escape");
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            char c = text.charAt(pos);
            int digit = c <= 'f' ? Character.digit(c, 16) : -1;
            if (digit < 0) {
                throw error("expected a hex digit in a \\u escape, found " + describeNext());
            }
            value = value * 16 + digit;
            pos++;
        }
        return (char) value;
    }

    /** {@code -? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?}, kept as written. */
    private JsonNumber number() throws IOException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
            if (isDigit(peek())) {
                throw error("a number may not have a leading zero", start);
            }
        } else {
            digits("in a number");
        }
        if (peek() == '.') {
            pos++;
            digits("after the decimal point");
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            digits("in the exponent");
        }
        return new JsonNumber(text.substring(start, pos));
    }

    private void digits(String where) throws IOException {
        if (!isDigit(peek())) {
            throw error("expected a digit " + where + ", found " + describeNext());
        }
        while (isDigit(peek())) {
            pos++;
        }
    }

    private Object literal(String word, Object value) throws IOException {
        if (!text.startsWith(word, pos)) {
            throw error("expected a value, found " + describeNext());
        }
        pos += word.length();
        return value;
    }

    private void checkDepth(int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw error("JSON nested deeper than " + MAX_DEPTH + " levels");
        }
    }
}
