package dev.tessera.moe.demo.report;

/** Text made safe for a Markdown table cell. */
final class Markdown {
    private Markdown() {}

    /** Plain text: pipes escaped, line breaks and other control characters shown as escapes. */
    static String text(String s) {
        return visible(s).replace("|", "\\|");
    }

    /**
     * Literal text as a code span: spaces and brackets kept as they are, the fence longer than any
     * run of backticks inside (GitHub reads {@code \|} inside a span in a table as a pipe).
     */
    static String code(String s) {
        if (s.isEmpty()) {
            return "(empty)";
        }
        String body = visible(s).replace("|", "\\|");
        int longest = 0;
        int run = 0;
        for (int i = 0; i < body.length(); i++) {
            run = body.charAt(i) == '`' ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        String fence = "`".repeat(longest + 1);
        String pad = body.startsWith("`") || body.endsWith("`") ? " " : "";
        return fence + pad + body + pad + fence;
    }

    private static String visible(String s) {
        StringBuilder out = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                default -> {
                    if (Character.isISOControl(c)) {
                        out.append(String.format("\\x%02X", c));
                    } else {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.toString();
    }
}
