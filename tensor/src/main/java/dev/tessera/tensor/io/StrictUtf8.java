package dev.tessera.tensor.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Decodes UTF-8 that must be valid: a malformed or truncated sequence is a corrupt file, never a U+FFFD. */
public final class StrictUtf8 {
    private StrictUtf8() {}

    /** The text of {@code bytes}; {@code what} names them in the error ("the header"). */
    public static String decode(Path file, byte[] bytes, String what) throws IOException {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        if (result.isError()) {
            int at = in.position();
            throw CorruptFile.error(file, what + " is not valid UTF-8: byte 0x"
                    + String.format("%02X", bytes[at] & 0xFF) + " at byte " + at + " of " + what
                    + " starts a malformed sequence");
        }
        return out.flip().toString();
    }
}
