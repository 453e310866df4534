package dev.tessera.tests.moe.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.moe.demo.data.Sample;
import dev.tessera.moe.demo.data.SyntheticCorpus;
import dev.tessera.moe.demo.data.SyntheticKind;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The generated corpus: deterministic, mixed as asked, every kind's answer right, held-out split disjoint. */
class SyntheticCorpusTest {
    private static List<Sample> take(Iterator<Sample> samples, int n) {
        return Stream.generate(samples::next).limit(n).toList();
    }

    @Test
    void theSameSeedGivesTheSameSamplesAndAnotherSeedOthers() {
        assertEquals(take(new SyntheticCorpus(7).train(), 500), take(new SyntheticCorpus(7).train(), 500));
        assertEquals(new SyntheticCorpus(7).heldOut(300), new SyntheticCorpus(7).heldOut(300));
        assertNotEquals(take(new SyntheticCorpus(7).train(), 50), take(new SyntheticCorpus(8).train(), 50));
    }

    @Test
    void theStreamIsPinned() {
        // Philox keyed by the seed: these are the same on every JVM; a change here changes every run's data
        List<String> first = take(new SyntheticCorpus(42).train(), 6).stream().map(Sample::text).toList();
        assertEquals(List.of("[]<><>[]{}{}", "rev prvq=qvrp", "name=2;age=lin;color=77;size=49;age?lin", "40+37=77",
                "()()<>([]<>)", "rev fcnnc=cnncf"), first);
    }

    @Test
    void kindsComeInTheirShares() {
        int n = 12_000;
        long[] equal = counts(take(new SyntheticCorpus(1).train(), n));
        for (long c : equal) {
            assertEquals(1.0 / 6, (double) c / n, 0.015, Arrays.toString(equal));
        }
        double[] weights = {3, 1, 0, 1, 1, 2};
        long[] weighted = counts(take(new SyntheticCorpus(1, weights).train(), n));
        for (int k = 0; k < weights.length; k++) {
            assertEquals(weights[k] / 8, (double) weighted[k] / n, 0.015, Arrays.toString(weighted));
        }
        assertEquals(0, weighted[2], "a kind of weight 0 never appears");
        long[] heldOut = counts(new SyntheticCorpus(1).heldOut(6000));
        for (long c : heldOut) {
            assertEquals(1.0 / 6, (double) c / 6000, 0.02, "held out " + Arrays.toString(heldOut));
        }
    }

    private static long[] counts(List<Sample> samples) {
        long[] counts = new long[SyntheticKind.values().length];
        samples.forEach(s -> counts[s.kind()]++);
        return counts;
    }

    @Test
    void heldOutSamplesNeverAppearInTraining() {
        SyntheticCorpus corpus = new SyntheticCorpus(3);
        Set<String> heldOut = new HashSet<>();
        corpus.heldOut(3000).forEach(s -> heldOut.add(s.text()));
        long clashes = take(corpus.train(), 60_000).stream().filter(s -> heldOut.contains(s.text())).count();
        assertEquals(0, clashes);
        // and the split is not trivially empty: many arithmetic prompts repeat within training itself
        assertTrue(heldOut.size() > 2000, "held-out distinct texts " + heldOut.size());
        assertEquals(corpus.heldOut(3000).subList(0, 100), corpus.heldOut(100), "a shorter list is a prefix");
    }

    @Test
    void everyScoredKindCompletesItsPromptRightly() {
        Pattern sum = Pattern.compile("(\\d+)\\+(\\d+)=");
        Pattern record = Pattern.compile("((?:\\w+=\\w+;)+)(\\w+)\\?");
        for (Sample s : take(new SyntheticCorpus(11).train(), 3000)) {
            SyntheticKind kind = SyntheticKind.values()[s.kind()];
            String p = s.prompt();
            String c = s.completion();
            switch (kind) {
                case ARITHMETIC -> {
                    Matcher m = sum.matcher(p);
                    assertTrue(m.matches(), p);
                    assertEquals(Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2)), Integer.parseInt(c), p);
                }
                case SORT -> {
                    assertTrue(p.matches("sort [a-z]{3,8}="), p);
                    char[] letters = p.substring(5, p.length() - 1).toCharArray();
                    Arrays.sort(letters);
                    assertEquals(new String(letters), c);
                }
                case REVERSE -> {
                    assertTrue(p.matches("rev [a-z]{3,8}="), p);
                    assertEquals(new StringBuilder(p.substring(4, p.length() - 1)).reverse().toString(), c);
                }
                case BRACKETS -> {
                    assertTrue(balanced(p + c), p + c);
                    assertTrue("([{<".indexOf(p.charAt(p.length() - 1)) >= 0, p);
                    assertTrue(c.chars().allMatch(ch -> ")]}>".indexOf(ch) >= 0), c);
                }
                case RECORDS -> {
                    Matcher m = record.matcher(p);
                    assertTrue(m.matches(), p);
                    assertTrue(Arrays.asList(m.group(1).split(";")).contains(m.group(2) + "=" + c), p + c);
                }
                case GRAMMAR -> {
                    assertTrue(Character.isUpperCase(p.charAt(0)) && c.startsWith(" ") && c.endsWith("."), p + c);
                    assertTrue((p + c).matches("[A-Za-z ]+\\."), p + c);
                }
            }
            assertTrue(s.whole());
            assertEquals(kind.scored(), kind != SyntheticKind.GRAMMAR);
        }
    }

    @Test
    void noSampleIsLongerThanTheBound() {
        int longest = take(new SyntheticCorpus(5).train(), 100_000).stream().mapToInt(Sample::tokenCount).max().orElseThrow();
        assertTrue(longest <= SyntheticCorpus.MAX_TOKENS, "longest " + longest);
        assertTrue(longest >= SyntheticCorpus.MAX_TOKENS - 8, "the bound is near the longest sample, " + longest);
    }

    private static boolean balanced(String brackets) {
        Deque<Character> open = new ArrayDeque<>();
        for (char ch : brackets.toCharArray()) {
            int o = "([{<".indexOf(ch);
            if (o >= 0) {
                open.push(")]}>".charAt(o));
            } else if (open.isEmpty() || open.pop() != ch) {
                return false;
            }
        }
        return open.isEmpty();
    }

    @Test
    void badWeightsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new SyntheticCorpus(1, new double[] {1, 1}));
        assertThrows(IllegalArgumentException.class, () -> new SyntheticCorpus(1, new double[6]));
        assertThrows(IllegalArgumentException.class, () -> new SyntheticCorpus(1, new double[] {1, 1, 1, 1, 1, -1}));
        assertThrows(IllegalArgumentException.class, () -> new SyntheticCorpus(1, new double[] {1, 1, 1, 1, 1, Double.NaN}));
        assertEquals(List.of("arithmetic", "sort", "reverse", "brackets", "records", "grammar"), new SyntheticCorpus(1).kinds());
    }
}
