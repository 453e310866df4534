package dev.tessera.tests.moe.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.moe.demo.data.SyntheticCorpus;
import dev.tessera.moe.demo.report.RunReport;
import dev.tessera.moe.demo.run.Answers;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The held-out answers' score, with stand-ins for the model: one that adds the sums' operands itself
 * (so the expected answers must be the real sums), wrong ones, and one right on some prompts only.
 */
class AnswersTest {
    private static final Pattern SUM = Pattern.compile("(\\d+)\\+(\\d+)=");
    private static final SyntheticCorpus CORPUS = new SyntheticCorpus(1);
    private static final int ARITHMETIC = CORPUS.kinds().indexOf("arithmetic");

    /** The sum of an arithmetic prompt plus {@code offset}, then {@code tail}; nothing for other prompts. */
    private static Answers.Completion adding(int offset, String tail) {
        return (prompt, maxTokens) -> {
            Matcher m = SUM.matcher(prompt);
            return m.matches() ? (Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2)) + offset) + tail : "";
        };
    }

    @Test
    void rightSumsScoreOneAndEveryOtherKindNothing() {
        double[] share = Answers.of(adding(0, ""), CORPUS, 10).rightShare();
        for (int k = 0; k < share.length; k++) {
            String kind = CORPUS.kinds().get(k);
            double expected = k == ARITHMETIC ? 1.0 : kind.equals("grammar") ? Double.NaN : 0.0;
            assertEquals(expected, share[k], kind);
        }
    }

    @Test
    void aWrongSumOrOneThatDoesNotStopScoresNothing() {
        assertEquals(0.0, Answers.of(adding(1, ""), CORPUS, 10).rightShare()[ARITHMETIC]);
        assertEquals(0.0, Answers.of(adding(0, "="), CORPUS, 10).rightShare()[ARITHMETIC]);
    }

    @Test
    void theShareIsOverThePerKindPromptsAsked() {
        AtomicInteger asked = new AtomicInteger();
        Answers.Completion rightThreeTimes = (prompt, maxTokens) -> {
            if (!SUM.matcher(prompt).matches()) {
                return "";
            }
            return asked.incrementAndGet() <= 3 ? adding(0, "").after(prompt, maxTokens) : "?";
        };
        Answers answers = Answers.of(rightThreeTimes, CORPUS, 4);
        assertEquals(4, asked.get(), "each arithmetic prompt is asked once");
        assertEquals(0.75, answers.rightShare()[ARITHMETIC]);
        List<RunReport.Generation> shown = answers.generations().stream().filter(g -> g.kind().equals("arithmetic"))
                .toList();
        assertEquals(Answers.SHOWN, shown.size());
        for (RunReport.Generation g : shown) {
            assertEquals(adding(0, "").after(g.prompt(), 0), g.expected(), "the expected answer is the sum");
            assertEquals(g.expected(), g.output(), "the first prompts were answered right");
        }
    }

    @Test
    void theBudgetLeavesRoomForTheAnswerAndItsEnd() {
        Answers.of((prompt, maxTokens) -> {
            Matcher m = SUM.matcher(prompt);
            if (m.matches()) {
                int digits = Integer.toString(Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2))).length();
                assertTrue(maxTokens > digits, prompt + " gets " + maxTokens + " tokens");
            }
            return "";
        }, CORPUS, 10);
    }
}
