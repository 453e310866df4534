package dev.tessera.tensor.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A strict parser for the one kind of Python literal a .npy header holds: a dict of string keys
 * whose values are strings ({@code 'x'} or {@code "x"}, without escapes), {@code True},
 * {@code False} or tuples of integers. A tuple follows Python's rules: {@code ()}, {@code (3,)},
 * {@code (2, 3)}; {@code (3)} is not a tuple. Anything else is an {@link IOException} naming the
 * file and the character.
 */
final class PythonLiteral {
    private final String text;
    private final Path file;
    private int pos;

    private PythonLiteral(String text, Path file) {
        this.text = text;
        this.file = file;
    }

    /**
     * The dict in {@code text}, keys in order, tuples as {@code List<Long>}; only whitespace may
     * follow it.
     */
    static Map<String, Object> parseDict(String text, Path file) throws IOException {
        PythonLiteral parser = new PythonLiteral(text, file);
        parser.skipWhitespace();
        Map<String, Object> dict = parser.dict();
        parser.skipWhitespace();
        if (parser.pos < text.length()) {
            throw parser.error("unexpected " + parser.describeNext() + " after the dict");
        }
        return dict;
    }

    private Map<String, Object> dict() throws IOException {
        expect('{', "to open the dict");
        Map<String, Object> dict = new LinkedHashMap<>();
        while (true) {
            skipWhitespace();
            if (peek() == '}') {
                pos++;
                return dict;
            }
            int keyAt = pos;
            String key = string();
            skipWhitespace();
            expect(':', "after the key '" + key + "'");
            skipWhitespace();
            Object value = value();
            if (dict.put(key, value) != null) {
                throw error("the key '" + key + "' appears twice", keyAt);
            }
            skipWhitespace();
            if (peek() != '}') {
                expect(',', "or '}' after the value of '" + key + "'");
            }
        }
    }

    private Object value() throws IOException {
        int c = peek();
        if (c == '\'' || c == '"') {
            return string();
        }
        if (c == '(') {
            return tuple();
        }
        if (text.startsWith("True", pos)) {
            pos += 4;
            return Boolean.TRUE;
        }
        if (text.startsWith("False", pos)) {
            pos += 5;
            return Boolean.FALSE;
        }
        throw error("expected a string, True, False or a tuple, found " + describeNext()
                + (c == '[' ? " (structured dtypes are not supported)" : ""));
    }

    private List<Long> tuple() throws IOException {
        int start = pos;
        pos++; // '('
        List<Long> items = new ArrayList<>();
        boolean trailingComma = false;
        while (true) {
            skipWhitespace();
            if (peek() == ')') {
                pos++;
                if (items.size() == 1 && !trailingComma) {
                    throw error("(" + items.getFirst() + ") is a parenthesised number, not a tuple; a 1-tuple is ("
                            + items.getFirst() + ",)", start);
                }
                return items;
            }
            items.add(integer());
            skipWhitespace();
            trailingComma = peek() == ',';
            if (peek() != ')') {
                expect(',', "or ')' in a tuple");
            }
        }
    }

    private long integer() throws IOException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        while (peek() >= '0' && peek() <= '9') {
            pos++;
        }
        String literal = text.substring(start, pos);
        if (literal.isEmpty() || literal.equals("-")) {
            throw error("expected an integer, found " + describeNext());
        }
        String digits = literal.startsWith("-") ? literal.substring(1) : literal;
        if (digits.length() > 1 && digits.startsWith("0")) {
            throw error("Python does not allow the leading zero in " + literal, start);
        }
        try {
            return Long.parseLong(literal);
        } catch (NumberFormatException tooLong) {
            throw error("the integer " + literal + " is absurdly large", start);
        }
    }

    private String string() throws IOException {
        int quote = peek();
        if (quote != '\'' && quote != '"') {
            throw error("expected a quoted string, found " + describeNext());
        }
        int start = pos++;
        int end = text.indexOf(quote, pos);
        if (end < 0) {
            throw error("the string that starts here is never closed", start);
        }
        String s = text.substring(pos, end);
        if (s.indexOf('\\') >= 0 || s.indexOf('\n') >= 0) {
            throw error("escapes and line breaks inside strings are not supported", start);
        }
        pos = end + 1;
        return s;
    }

    private void expect(char c, String why) throws IOException {
        if (peek() != c) {
            throw error("expected '" + c + "' " + why + ", found " + describeNext());
        }
        pos++;
    }

    private int peek() {
        return pos < text.length() ? text.charAt(pos) : -1;
    }

    private void skipWhitespace() {
        while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
    }

    private String describeNext() {
        if (pos >= text.length()) {
            return "the end of the header";
        }
        int c = text.codePointAt(pos);
        return c >= 0x20 && c < 0x7f ? "'" + (char) c + "'" : String.format("U+%04X", c);
    }

    private IOException error(String what) {
        return error(what, pos);
    }

    private IOException error(String what, int at) {
        return CorruptFile.error(file, "the .npy header is not a valid dict literal: " + what
                + " (at character " + at + " of the header)");
    }
}
