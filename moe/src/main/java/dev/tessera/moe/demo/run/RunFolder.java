package dev.tessera.moe.demo.run;

import dev.tessera.moe.ExpertLoad;
import dev.tessera.moe.demo.charts.ExpertsChart;
import dev.tessera.moe.demo.charts.LoadChart;
import dev.tessera.moe.demo.charts.LossChart;
import dev.tessera.moe.demo.data.Corpus;
import dev.tessera.moe.demo.report.ReportWriter;
import dev.tessera.moe.demo.report.RunReport;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Writes a finished run's pictures and report.md into its folder. */
public final class RunFolder {
    public static final String LOSS_PNG = "loss.png";
    public static final String EXPERTS_PNG = "experts.png";
    public static final String LOAD_PNG = "load.png";

    private RunFolder() {}

    /**
     * Draws the charts, answers held-out prompts greedily, and writes the report; returns the report's path.
     *
     * @param twin the same run with another balance setting, when one was trained: load.png draws
     *     both runs' curves and the report compares their final balance and loss
     * @param config the settings to list in the report, in order
     */
    public static Path write(Path folder, Training.Result result, Optional<Training.Result> twin, RunSettings settings,
            Corpus corpus, List<RunReport.Setting> config) throws IOException {
        LossChart.write(folder.resolve(LOSS_PNG), result.losses().curves());
        ExpertsChart.write(folder.resolve(EXPERTS_PNG), result.finalEvaluation().routing());
        List<Training.Result> runs = twin.map(t -> List.of(result, t)).orElse(List.of(result));
        LoadChart.write(folder.resolve(LOAD_PNG), runs.stream().map(run -> run.loads().curves()).toList());
        List<RunReport.BalanceRun> balanceRuns = twin.isEmpty() ? List.of() : runs.stream().map(RunFolder::balance).toList();
        Answers answers = Answers.of(new Decoder(result.model()), corpus, settings.answersPerKind());
        double[] evalLoss = result.finalEvaluation().losses().means();
        List<RunReport.KindResult> kinds = new ArrayList<>();
        for (int k = 0; k < corpus.kinds().size(); k++) {
            kinds.add(new RunReport.KindResult(corpus.kinds().get(k), result.finalTrainLoss()[k], evalLoss[k],
                    answers.rightShare()[k]));
        }
        RunReport report = new RunReport(config, result.model().parameterCount(), result.model().activeParameterCount(),
                result.steps(), result.tokensPerSecond(), result.finalEvaluation().losses().overall(), kinds,
                answers.generations(), List.of(LOSS_PNG, EXPERTS_PNG, LOAD_PNG), balanceRuns);
        return ReportWriter.write(folder, report);
    }

    /** A run's final balance, named as in load.png's legend. */
    private static RunReport.BalanceRun balance(Training.Result run) {
        double[] maxOverMean = run.finalEvaluation().loads().stream().mapToDouble(ExpertLoad::maxOverMean).toArray();
        return new RunReport.BalanceRun(run.loads().curves().run(), maxOverMean,
                run.finalEvaluation().losses().overall());
    }
}
