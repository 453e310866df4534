package dev.tessera.moe.demo.data;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * The kinds of text the synthetic corpus mixes, each with its own structure. Every kind but
 * {@link #GRAMMAR} has one right completion for its prompt, so a model's answers can be scored.
 */
public enum SyntheticKind {
    /** {@code 37+58=} then {@code 95}: two operands in [0, 99]. */
    ARITHMETIC("arithmetic", true) {
        @Override
        Prompted draw(SampleRandom random) {
            int a = random.between(0, 99);
            int b = random.between(0, 99);
            return new Prompted(a + "+" + b + "=", Integer.toString(a + b));
        }
    },
    /** {@code sort hbdk=} then {@code bdhk}: 3 to 8 lowercase letters. */
    SORT("sort", true) {
        @Override
        Prompted draw(SampleRandom random) {
            String word = letters(random);
            char[] sorted = word.toCharArray();
            Arrays.sort(sorted);
            return new Prompted("sort " + word + "=", new String(sorted));
        }
    },
    /** {@code rev hbdk=} then {@code kdbh}: 3 to 8 lowercase letters. */
    REVERSE("reverse", true) {
        @Override
        Prompted draw(SampleRandom random) {
            String word = letters(random);
            return new Prompted("rev " + word + "=", new StringBuilder(word).reverse().toString());
        }
    },
    /**
     * A balanced string of 2 to 8 pairs of {@code () [] {} <>}, cut after its last opening bracket:
     * {@code ([]<{} (} then {@code )>)}, the closers in stack order.
     */
    BRACKETS("brackets", true) {
        @Override
        Prompted draw(SampleRandom random) {
            String balanced = balancedBrackets(random, random.between(2, 8));
            int cut = lastOpening(balanced) + 1;
            return new Prompted(balanced.substring(0, cut), balanced.substring(cut));
        }
    },
    /** {@code id=42;pet=cat;city=rome;pet?} then {@code cat}: 2 to 4 distinct keys, one asked for. */
    RECORDS("records", true) {
        @Override
        Prompted draw(SampleRandom random) {
            List<String> keys = new ArrayList<>(RECORD_KEYS);
            int fields = random.between(2, 4);
            StringBuilder record = new StringBuilder();
            String askedValue = null;
            int asked = random.nextInt(fields);
            String askedKey = null;
            for (int f = 0; f < fields; f++) {
                String key = keys.remove(random.nextInt(keys.size()));
                String value = random.nextInt(2) == 0 ? Integer.toString(random.between(0, 99))
                        : random.pick(RECORD_WORDS);
                record.append(key).append('=').append(value).append(';');
                if (f == asked) {
                    askedKey = key;
                    askedValue = value;
                }
            }
            return new Prompted(record + askedKey + "?", askedValue);
        }
    },
    /** A sentence of the project's small {@link Grammar}: its subject, then the rest. */
    GRAMMAR("grammar", false) {
        @Override
        Prompted draw(SampleRandom random) {
            return Grammar.sentence(random);
        }
    };

    private static final List<String> RECORD_KEYS = List.of("id", "name", "age", "city", "pet", "color", "team", "size");
    private static final String[] RECORD_WORDS = {"ada", "bob", "lin", "oslo", "rome", "lima", "cat", "owl", "red", "blue"};
    private static final String OPENING = "([{<";
    private static final String CLOSING = ")]}>";

    private final String label;
    private final boolean scored;

    SyntheticKind(String label, boolean scored) {
        this.label = label;
        this.scored = scored;
    }

    /** The kind's name in charts and reports. */
    public String label() {
        return label;
    }

    /** Whether a prompt has exactly one right completion, so generations can be scored. */
    public boolean scored() {
        return scored;
    }

    /** A prompt and its completion. */
    record Prompted(String prompt, String completion) {}

    abstract Prompted draw(SampleRandom random);

    private static String letters(SampleRandom random) {
        int length = random.between(3, 8);
        StringBuilder word = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            word.append((char) ('a' + random.nextInt(26)));
        }
        return word.toString();
    }

    /** A random walk that opens while pairs remain and closes while some are open, each with even odds when both may. */
    private static String balancedBrackets(SampleRandom random, int pairs) {
        StringBuilder out = new StringBuilder(2 * pairs);
        Deque<Integer> open = new ArrayDeque<>();
        int toOpen = pairs;
        while (toOpen > 0 || !open.isEmpty()) {
            boolean opening = open.isEmpty() || (toOpen > 0 && random.nextInt(2) == 0);
            if (opening) {
                int type = random.nextInt(OPENING.length());
                open.push(type);
                out.append(OPENING.charAt(type));
                toOpen--;
            } else {
                out.append(CLOSING.charAt(open.pop()));
            }
        }
        return out.toString();
    }

    private static int lastOpening(String brackets) {
        for (int i = brackets.length() - 1; i >= 0; i--) {
            if (OPENING.indexOf(brackets.charAt(i)) >= 0) {
                return i;
            }
        }
        throw new IllegalStateException("no opening bracket in " + brackets);
    }
}
