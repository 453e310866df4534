package dev.tessera.moe.demo.data;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One piece of training text: its kind (an index into its corpus's {@link Corpus#kinds()}), its
 * bytes, how many of them are the prompt (the rest is the completion a model should produce), and
 * whether it is whole (it ends, so its tokens end with {@code EOS}) or a window cut from longer text.
 */
public final class Sample {
    private final int kind;
    private final byte[] bytes;
    private final int promptLength;
    private final boolean whole;

    public Sample(int kind, byte[] bytes, int promptLength, boolean whole) {
        if (kind < 0 || promptLength < 0 || promptLength > bytes.length) {
            throw new IllegalArgumentException("Sample: kind " + kind + ", prompt of " + promptLength + " bytes in "
                    + bytes.length + ": need kind >= 0 and 0 <= prompt <= length");
        }
        this.kind = kind;
        this.bytes = bytes.clone();
        this.promptLength = promptLength;
        this.whole = whole;
    }

    /** A whole sample of {@code prompt} then {@code completion}, in UTF-8. */
    public static Sample whole(int kind, String prompt, String completion) {
        byte[] p = prompt.getBytes(StandardCharsets.UTF_8);
        byte[] c = completion.getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(p, p.length + c.length);
        System.arraycopy(c, 0, all, p.length, c.length);
        return new Sample(kind, all, p.length, true);
    }

    public int kind() {
        return kind;
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    public boolean whole() {
        return whole;
    }

    public String text() {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    public String prompt() {
        return new String(bytes, 0, promptLength, StandardCharsets.UTF_8);
    }

    public String completion() {
        return new String(bytes, promptLength, bytes.length - promptLength, StandardCharsets.UTF_8);
    }

    /** {@code BOS}, the bytes, and {@code EOS} when whole. */
    public int[] tokens() {
        int[] ids = new int[tokenCount()];
        ids[0] = Tokens.BOS;
        for (int i = 0; i < bytes.length; i++) {
            ids[i + 1] = Byte.toUnsignedInt(bytes[i]);
        }
        if (whole) {
            ids[ids.length - 1] = Tokens.EOS;
        }
        return ids;
    }

    public int tokenCount() {
        return bytes.length + (whole ? 2 : 1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sample s && kind == s.kind && promptLength == s.promptLength && whole == s.whole
                && Arrays.equals(bytes, s.bytes);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * kind + Arrays.hashCode(bytes)) + promptLength * 2 + (whole ? 1 : 0);
    }

    @Override
    public String toString() {
        return "Sample[kind=" + kind + ", prompt=" + prompt() + ", completion=" + completion() + ", whole=" + whole + "]";
    }
}
