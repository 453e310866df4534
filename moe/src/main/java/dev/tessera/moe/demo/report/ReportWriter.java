package dev.tessera.moe.demo.report;

import dev.tessera.tensor.io.AtomicFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;

/** Writes {@code report.md} into a run's folder, atomically. */
public final class ReportWriter {
    public static final String FILE_NAME = "report.md";

    private ReportWriter() {}

    /** Writes the report into {@code folder} (made when missing) and returns its path. */
    public static Path write(Path folder, RunReport report) throws IOException {
        Files.createDirectories(folder);
        Path file = folder.resolve(FILE_NAME);
        byte[] bytes = render(report).getBytes(StandardCharsets.UTF_8);
        AtomicFile.write(file, channel -> {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        });
        return file;
    }

    /** The report's Markdown. */
    public static String render(RunReport report) {
        StringBuilder md = new StringBuilder();
        md.append("# Tessera MoE demo run\n\n");
        md.append(format("Final eval loss **%.4f** nats per byte; training ran at **%,.0f** tokens/s over %,d steps.%n%n",
                report.finalEvalLoss(), report.tokensPerSecond(), report.steps()));
        if (!report.balanceRuns().isEmpty()) {
            md.append(balanceLine(report.balanceRuns())).append("\n\n");
        }
        if (!report.pictures().isEmpty()) {
            md.append("## Pictures\n\n");
            for (String picture : report.pictures()) {
                md.append("![").append(picture).append("](").append(picture).append(")\n\n");
            }
        }
        md.append("## Configuration\n\n| setting | value |\n| --- | --- |\n");
        for (RunReport.Setting setting : report.config()) {
            md.append("| ").append(Markdown.text(setting.name())).append(" | ").append(Markdown.code(setting.value()))
                    .append(" |\n");
        }
        md.append("\n## Parameters\n\n| | count |\n| --- | ---: |\n");
        md.append(format("| total | %,d |%n", report.totalParameters()));
        double activeShare = report.totalParameters() == 0 ? 0 : 100.0 * report.activeParameters() / report.totalParameters();
        md.append(format("| active per token | %,d (%.1f%%) |%n", report.activeParameters(), activeShare));
        md.append("\n## Final losses per kind of data\n\n")
                .append("| kind | train loss | eval loss | held-out answers right |\n| --- | ---: | ---: | ---: |\n");
        for (RunReport.KindResult kind : report.kinds()) {
            md.append("| ").append(Markdown.text(kind.kind())).append(" | ").append(number(kind.trainLoss()))
                    .append(" | ").append(number(kind.evalLoss())).append(" | ").append(percent(kind.answeredRight()))
                    .append(" |\n");
        }
        if (!report.generations().isEmpty()) {
            md.append("\n## Sample generations\n\n| kind | prompt | the model wrote | expected |\n| --- | --- | --- | --- |\n");
            for (RunReport.Generation g : report.generations()) {
                md.append("| ").append(Markdown.text(g.kind())).append(" | ").append(Markdown.code(g.prompt()))
                        .append(" | ").append(Markdown.code(g.output())).append(" | ")
                        .append(g.expected() == null ? "" : Markdown.code(g.expected())).append(" |\n");
            }
        }
        return md.toString();
    }

    /** One line, e.g. "... `bias` max/mean load 1.21 / 1.35 per MoE layer, eval loss 3.9876; `none` max/mean load ...". */
    private static String balanceLine(List<RunReport.BalanceRun> runs) {
        StringBuilder line = new StringBuilder("Balance compared (held-out, at the end): ");
        for (int i = 0; i < runs.size(); i++) {
            RunReport.BalanceRun run = runs.get(i);
            StringJoiner loads = new StringJoiner(" / ");
            for (double ratio : run.maxOverMean()) {
                loads.add(format("%.2f", ratio));
            }
            line.append(i == 0 ? "" : "; ").append(Markdown.code(run.balance())).append(" max/mean load ").append(loads)
                    .append(run.maxOverMean().length == 1 ? "" : " per MoE layer").append(", eval loss ")
                    .append(number(run.evalLoss()));
        }
        return line.append('.').toString();
    }

    private static String number(double value) {
        return Double.isNaN(value) ? "n/a" : format("%.4f", value);
    }

    private static String percent(double share) {
        return Double.isNaN(share) ? "n/a" : format("%.1f%%", 100 * share);
    }

    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
