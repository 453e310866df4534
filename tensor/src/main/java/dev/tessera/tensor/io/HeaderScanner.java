package dev.tessera.tensor.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The cursor the two header parsers share: a position in the header text, the whitespace both
 * grammars skip (space, tab, CR, LF), and errors that name the file and the character where
 * parsing stopped. The grammars themselves (JSON for safetensors, a Python dict for .npy) stay in
 * the subclasses.
 */
abstract sealed class HeaderScanner permits HeaderJson, PythonLiteral {
    final String text;
    final Path file;
    /** Says which grammar the header broke, at the head of every error message. */
    private final String violation;
    /** What the text is, for messages: "header", or "file" for a whole JSON file. */
    final String subject;
    int pos;

    HeaderScanner(String text, Path file, String violation, String subject) {
        this.text = text;
        this.file = file;
        this.violation = violation;
        this.subject = subject;
    }

    /** The next character, or -1 at the end. */
    final int peek() {
        return pos < text.length() ? text.charAt(pos) : -1;
    }

    static boolean isDigit(int c) {
        return c >= '0' && c <= '9';
    }

    final void skipWhitespace() {
        while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
    }

    final void expect(char c, String where) throws IOException {
        if (peek() != c) {
            throw error("expected '" + c + "' " + where + ", found " + describeNext());
        }
        pos++;
    }

    /** Fails unless only whitespace is left; {@code after} names what was parsed. */
    final void expectEnd(String after) throws IOException {
        skipWhitespace();
        if (pos < text.length()) {
            throw error("unexpected " + describeNext() + " after " + after);
        }
    }

    /** The next character for a message: quoted when printable ASCII, else as U+XXXX. */
    final String describeNext() {
        if (pos >= text.length()) {
            return "the end of the " + subject;
        }
        int c = text.codePointAt(pos);
        return c >= 0x20 && c < 0x7f ? "'" + (char) c + "'" : String.format("U+%04X", c);
    }

    final IOException error(String what) {
        return error(what, pos);
    }

    final IOException error(String what, int at) {
        return CorruptFile.error(file, violation + ": " + what + " (at character " + at + " of the " + subject + ")");
    }
}
