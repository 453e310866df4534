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
final class PythonLiteral extends HeaderScanner {
    private PythonLiteral(String text, Path file) {
        super(text, file, "the .npy header is not a valid dict literal", "header");
    }

    /**
     * The dict in {@code text}, keys in order, tuples as {@code List<Long>}; only whitespace may
     * follow it.
     */
    static Map<String, Object> parseDict(String text, Path file) throws IOException {
        PythonLiteral parser = new PythonLiteral(text, file);
        parser.skipWhitespace();
        Map<String, Object> dict = parser.dict();
        parser.expectEnd("the dict");
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
        while (isDigit(peek())) {
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
}
