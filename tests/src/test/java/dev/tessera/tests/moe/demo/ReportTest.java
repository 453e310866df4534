package dev.tessera.tests.moe.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.moe.demo.console.ConsoleSummary;
import dev.tessera.moe.demo.report.ReportWriter;
import dev.tessera.moe.demo.report.RunReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** report.md says what a run was and did, with text from the model made safe for Markdown tables. */
class ReportTest {
    @TempDir
    Path folder;

    private static RunReport report() {
        return new RunReport(
                List.of(new RunReport.Setting("preset", "tiny"), new RunReport.Setting("routed experts", "8")),
                1_234_567, 345_678, 300, 12_345.6, 1.23456,
                List.of(new RunReport.KindResult("arithmetic", 0.9, 1.1, 0.625),
                        new RunReport.KindResult("grammar", 1.5, 1.7, Double.NaN)),
                List.of(new RunReport.Generation("arithmetic", "12+35=", "47", "47"),
                        new RunReport.Generation("records", "a=1|b`x;a?", "1\nz", "1"),
                        new RunReport.Generation("grammar", "The cat", " sees a dog.", null)),
                List.of("loss.png", "experts.png", "load.png"), List.of());
    }

    @Test
    void theReportHoldsEverySection() throws IOException {
        Path file = ReportWriter.write(folder.resolve("run"), report());
        assertEquals(folder.resolve("run/report.md"), file);
        String md = Files.readString(file);
        assertTrue(md.startsWith("# Tessera MoE demo run\n"), md);
        assertTrue(md.contains("Final eval loss **1.2346** nats per byte; training ran at **12,346** tokens/s over 300 steps."), md);
        assertTrue(md.contains("![loss.png](loss.png)") && md.contains("![experts.png](experts.png)")
                && md.contains("![load.png](load.png)"), md);
        assertTrue(md.contains("| preset | `tiny` |") && md.contains("| routed experts | `8` |"), md);
        assertTrue(md.contains("| total | 1,234,567 |") && md.contains("| active per token | 345,678 (28.0%) |"), md);
        assertTrue(md.contains("| arithmetic | 0.9000 | 1.1000 | 62.5% |"), md);
        assertTrue(md.contains("| grammar | 1.5000 | 1.7000 | n/a |"), md);
        assertTrue(md.contains("| arithmetic | `12+35=` | `47` | `47` |"), md);
        assertTrue(md.contains("| records | ``a=1\\|b`x;a?`` | `1\\nz` | `1` |"), "pipes, backticks and newlines escaped: " + md);
        assertTrue(md.contains("| grammar | `The cat` | ` sees a dog.` |  |"), md);
        for (String line : md.split("\n")) {
            if (line.startsWith("| ")) {
                assertTrue(line.endsWith("|"), "a table row stays one line: " + line);
            }
        }
        try (Stream<Path> files = Files.list(folder.resolve("run"))) {
            assertEquals(List.of("report.md"), files.map(p -> p.getFileName().toString()).toList(), "no temporary file left");
        }
    }

    @Test
    void badReportsAreRefused() {
        RunReport r = report();
        assertThrows(IllegalArgumentException.class, () -> new RunReport(r.config(), 10, 11, 1, 1, 1, r.kinds(),
                r.generations(), r.pictures(), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new RunReport(r.config(), 10, 1, 1, 1, 1, r.kinds(),
                r.generations(), List.of("../loss.png"), List.of()));
        assertThrows(IllegalArgumentException.class, () -> new RunReport(r.config(), 10, 1, 1, 1, 1, r.kinds(),
                r.generations(), r.pictures(), List.of(new RunReport.BalanceRun("bias", new double[] {1.2}, 1))),
                "one balance run compares with nothing");
    }

    @Test
    void aTwinRunIsComparedInOneLineAndOnlyThen() {
        RunReport r = report();
        assertFalse(ReportWriter.render(r).contains("Balance compared"), "no twin, no comparison");
        RunReport compared = new RunReport(r.config(), r.totalParameters(), r.activeParameters(), r.steps(),
                r.tokensPerSecond(), r.finalEvalLoss(), r.kinds(), r.generations(), r.pictures(), List.of(
                        new RunReport.BalanceRun("none", new double[] {3.456, 2.5}, 1.23456),
                        new RunReport.BalanceRun("bias", new double[] {1.204, 1.3}, 1.3)));
        List<String> lines = ReportWriter.render(compared).lines().filter(l -> l.contains("Balance compared")).toList();
        assertEquals(List.of("Balance compared (held-out, at the end): `none` max/mean load 3.46 / 2.50 per MoE layer,"
                + " eval loss 1.2346; `bias` max/mean load 1.20 / 1.30 per MoE layer, eval loss 1.3000."), lines);
    }

    @Test
    void theConsoleSummaryIsTwoLines() {
        List<String> lines = ConsoleSummary.lines(Path.of("runs/x/report.md"), 1.23456, 12_345.6);
        assertEquals(2, lines.size());
        assertTrue(lines.get(0).startsWith("Report: /") && lines.get(0).contains("runs/x/report.md"), lines.get(0));
        assertEquals("Final eval loss 1.2346 nats per byte, 12,346 tokens/s", lines.get(1));
    }
}
