package dev.tessera.moe.demo.data;

import dev.tessera.nn.Losses;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The demo's vocabulary: the 256 byte values as themselves, then three specials. Every sample is
 * {@code BOS bytes... [EOS]}; {@code PAD} fills a row's tail and is never a target.
 */
public final class Tokens {
    /** Token ids 0..255 are the bytes 0..255. */
    public static final int BYTES = 256;
    /** Begins every sample; a prompt for generation starts with it too. */
    public static final int BOS = 256;
    /** Ends a whole sample (a synthetic one); generation stops at it. */
    public static final int EOS = 257;
    /** Fills the rest of a row; its positions have no target and kind {@link #NO_KIND}. */
    public static final int PAD = 258;
    /** Embedding rows / logits: the bytes and the three specials. */
    public static final int VOCAB_SIZE = 259;
    /** The target of a position that has none (padding, a sample's last token): PyTorch's ignore_index. */
    public static final int IGNORE = Losses.DEFAULT_IGNORE_INDEX;
    /** The kind label of a padding position. */
    public static final int NO_KIND = -1;

    private Tokens() {}

    /** {@code BOS} and the UTF-8 bytes of {@code prompt}: what generation starts from. */
    public static int[] prompt(String prompt) {
        byte[] bytes = prompt.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[bytes.length + 1];
        ids[0] = BOS;
        for (int i = 0; i < bytes.length; i++) {
            ids[i + 1] = Byte.toUnsignedInt(bytes[i]);
        }
        return ids;
    }

    /**
     * The text of byte tokens, read as UTF-8 (a malformed sequence becomes U+FFFD); the specials are
     * left out, and the text ends at the first {@code EOS}.
     *
     * @throws IllegalArgumentException for an id outside [0, VOCAB_SIZE)
     */
    public static String decode(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length);
        for (int id : ids) {
            if (id < 0 || id >= VOCAB_SIZE) {
                throw new IllegalArgumentException("Tokens.decode: id " + id + " outside [0, " + VOCAB_SIZE + ")");
            }
            if (id == EOS) {
                break;
            }
            if (id < BYTES) {
                bytes.write(id);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
