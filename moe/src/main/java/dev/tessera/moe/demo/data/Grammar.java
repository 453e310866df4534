package dev.tessera.moe.demo.data;

/**
 * The small grammar of the corpus's sentences:
 * <pre>
 * S   -> Subj VP "."
 * Subj -> Det [Adj] Noun | Name
 * NP  -> Det Noun | Name
 * VP  -> Vt NP [PP] | Vi Adv
 * PP  -> Prep NP
 * </pre>
 * with ten words or fewer per class, none longer than seven letters, so a sentence has at most 60
 * bytes. The sentence's first letter is capitalised; its subject is the prompt and the rest the
 * completion.
 */
final class Grammar {
    private static final String[] DETERMINERS = {"the", "a", "every", "some"};
    private static final String[] ADJECTIVES = {"small", "red", "quiet", "old", "happy", "green"};
    private static final String[] NOUNS = {"cat", "dog", "bird", "child", "robot", "farmer", "river", "lamp"};
    private static final String[] NAMES = {"Ada", "Bob", "Lin", "Omar", "Zoe"};
    private static final String[] TRANSITIVE = {"sees", "likes", "follows", "helps", "finds", "paints"};
    private static final String[] INTRANSITIVE = {"sleeps", "runs", "sings", "waits", "laughs"};
    private static final String[] ADVERBS = {"quickly", "softly", "often", "alone", "again"};
    private static final String[] PREPOSITIONS = {"near", "with", "under", "behind"};

    private Grammar() {}

    static SyntheticKind.Prompted sentence(SampleRandom random) {
        String subject = capitalised(subject(random));
        String predicate = random.nextInt(3) == 0
                ? random.pick(INTRANSITIVE) + " " + random.pick(ADVERBS)
                : random.pick(TRANSITIVE) + " " + nounPhrase(random)
                        + (random.nextInt(2) == 0 ? " " + random.pick(PREPOSITIONS) + " " + nounPhrase(random) : "");
        return new SyntheticKind.Prompted(subject, " " + predicate + ".");
    }

    private static String subject(SampleRandom random) {
        if (random.nextInt(4) == 0) {
            return random.pick(NAMES);
        }
        String adjective = random.nextInt(2) == 0 ? random.pick(ADJECTIVES) + " " : "";
        return random.pick(DETERMINERS) + " " + adjective + random.pick(NOUNS);
    }

    private static String nounPhrase(SampleRandom random) {
        return random.nextInt(4) == 0 ? random.pick(NAMES) : random.pick(DETERMINERS) + " " + random.pick(NOUNS);
    }

    private static String capitalised(String phrase) {
        return Character.toUpperCase(phrase.charAt(0)) + phrase.substring(1);
    }
}
