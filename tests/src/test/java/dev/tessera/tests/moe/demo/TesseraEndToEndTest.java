package dev.tessera.tests.moe.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.moe.cli.ModelActions;
import dev.tessera.moe.cli.TesseraCli;
import dev.tessera.tests.opencl.OpenClAvailable;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tessera} with the real {@link ModelActions}, as {@code main} runs it: one training run of
 * the tiny preset (40 steps, seconds) writes its folder, and the other commands read it. An
 * untrained model's loss is about ln(259) = 5.56 nats per byte; 40 steps bring it near 4.
 */
class TesseraEndToEndTest {
    private static final Pattern FINAL_LOSS = Pattern.compile("Final eval loss (\\d+\\.\\d+) nats per byte");

    @TempDir
    static Path folder;
    static Path run;
    static Result training;

    record Result(int code, String out, String err) {}

    static Result tessera(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TesseraCli.run(new ModelActions(), args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @BeforeAll
    static void train() {
        run = folder.resolve("run");
        training = tessera("train", "--preset", "tiny", "--out", run.toString());
    }

    @Test
    void trainingWritesThePicturesTheReportAndACheckpoint() throws IOException {
        assertEquals(0, training.code(), training.err());
        for (String file : List.of("loss.png", "experts.png", "load.png", "report.md")) {
            assertTrue(Files.size(run.resolve(file)) > 0, file);
        }
        Path checkpoint = run.resolve("step-00000040");
        for (String file : List.of("config.json", "model.safetensors", "optimizer.safetensors", "trainer.json")) {
            assertTrue(Files.isRegularFile(checkpoint.resolve(file)), file);
        }
        String report = Files.readString(run.resolve("report.md"));
        assertTrue(report.contains("![experts.png](experts.png)") && report.contains("| arithmetic |"), report);
        assertFalse(report.contains("Balance compared"), "no twin unless asked: " + report);
        assertTrue(training.out().contains("Report: " + run.resolve("report.md").toAbsolutePath()), training.out());
    }

    @Test
    void theLossFell() {
        Matcher m = FINAL_LOSS.matcher(training.out());
        assertTrue(m.find(), training.out());
        double loss = Double.parseDouble(m.group(1));
        assertTrue(loss < Math.log(259) - 1, "the final eval loss " + loss + " is not 1 nat below an untrained model's");
    }

    @Test
    void aTwinWithTheOtherBalanceIsDrawnAndComparedBesideTheRun() throws IOException {
        Path compared = folder.resolve("compared");
        Result twin = tessera("train", "--preset", "tiny", "--balance", "none", "--compare-balance", "bias", "--out",
                compared.toString());
        assertEquals(0, twin.code(), twin.err());
        assertTrue(Files.size(compared.resolve("load.png")) > 0);
        String report = Files.readString(compared.resolve("report.md"));
        List<String> lines = report.lines().filter(l -> l.startsWith("Balance compared")).toList();
        assertEquals(1, lines.size(), report);
        String line = lines.getFirst();
        assertTrue(line.contains("`none` max/mean load") && line.contains("`bias` max/mean load"), line);
        // the twin (named last) is this class's own run: --balance bias, same model, data, seed and steps
        Matcher own = FINAL_LOSS.matcher(training.out());
        assertTrue(own.find(), training.out());
        assertTrue(line.endsWith(", eval loss " + own.group(1) + "."), own.group(1) + " ends " + line);
        assertEquals(checkpoints(run), checkpoints(compared), "the twin saves no checkpoint of its own");
        for (String checkpoint : checkpoints(compared)) {
            String trainer = Files.readString(compared.resolve(checkpoint).resolve("trainer.json"));
            assertTrue(trainer.contains("\"none\"") && !trainer.contains("\"bias\""), "the run's, not the twin's: " + trainer);
        }
    }

    @Test
    void generateLoadsTheCheckpointAndContinuesThePrompt() {
        Result greedy = tessera("generate", "--checkpoint", run.toString(), "--prompt", "12+35=", "--max-tokens", "6");
        assertEquals(0, greedy.code(), greedy.err());
        String text = greedy.out().strip();
        assertTrue(text.startsWith("12+35=") && text.length() > "12+35=".length(), text);

        String[] sampled = {"generate", "--checkpoint", run.resolve("step-00000040").toString(), "--prompt", "rev abc=",
                "--temperature", "1.5", "--top-p", "0.9", "--seed", "7"};
        Result once = tessera(sampled);
        assertEquals(0, once.code(), once.err());
        assertEquals(once.out(), tessera(sampled).out(), "the same seed samples the same text");
    }

    @Test
    void inspectPrintsTheSummaryAndRoutingPerExpert() {
        Result inspect = tessera("inspect", "--checkpoint", run.toString());
        assertEquals(0, inspect.code(), inspect.err());
        assertTrue(inspect.out().contains("active per token") && inspect.out().contains("MoE layer 0 (model.layers.1)")
                && inspect.out().contains("busiest kind"), inspect.out());
    }

    @Test
    void resumeContinuesTheRunFromItsLastCheckpoint() throws IOException {
        Path resumed = folder.resolve("resumed");
        copy(run.resolve("step-00000040"), resumed.resolve("step-00000040"));
        // the progress lines go to standard output, the summary to the command's writer
        PrintStream console = System.out;
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        Result more;
        try {
            System.setOut(new PrintStream(progress, true, StandardCharsets.UTF_8));
            more = tessera("train", "--preset", "tiny", "--steps", "44", "--resume", resumed.toString());
        } finally {
            System.setOut(console);
        }
        assertEquals(0, more.code(), more.err());
        assertTrue(Files.isRegularFile(resumed.resolve("step-00000044").resolve("model.safetensors")));
        String lines = progress.toString(StandardCharsets.UTF_8);
        assertTrue(lines.contains("step 41/44") && !lines.contains("step 1/44"), lines);
        assertTrue(Files.readString(resumed.resolve("report.md")).contains("over 44 steps"));

        Result nothingLeft = tessera("train", "--preset", "tiny", "--steps", "44", "--resume", resumed.toString());
        assertOneLineError(nothingLeft, 1, "nothing left");
    }

    @Test
    void aCorruptCheckpointIsOneLineAndExitOne() throws IOException {
        Path broken = folder.resolve("broken");
        copy(run.resolve("step-00000040"), broken);
        byte[] weights = Files.readAllBytes(broken.resolve("model.safetensors"));
        Files.write(broken.resolve("model.safetensors"), Arrays.copyOf(weights, weights.length / 2));
        Result result = tessera("generate", "--checkpoint", broken.toString(), "--prompt", "1+1=");
        assertOneLineError(result, 1, "model.safetensors");
    }

    @Test
    void aFolderWithoutACheckpointIsOneLineAndExitOne() throws IOException {
        Path empty = Files.createDirectories(folder.resolve("empty"));
        assertOneLineError(tessera("inspect", "--checkpoint", empty.toString()), 1, "no checkpoint here");
    }

    @Test
    void aMissingCheckpointFolderIsAUsageError() {
        assertOneLineError(tessera("generate", "--checkpoint", folder.resolve("nowhere").toString(), "--prompt", "x"), 2,
                "no such folder");
    }

    @Test
    void aConfigFileWithTooSmallAVocabularyIsOneLineAndExitOne() throws IOException {
        Path config = folder.resolve("config.json");
        Files.writeString(config, "{\"vocab_size\": 12, \"hidden_size\": 16, \"num_attention_heads\": 2}");
        assertOneLineError(tessera("train", "--config", config.toString(), "--steps", "1", "--out",
                folder.resolve("never").toString()), 1, "vocab_size 12");
    }

    @Test
    void trainsOnTheOpenClDeviceAndGeneratesFromItsCheckpoint() throws IOException {
        OpenClAvailable.device("opencl");
        Path onDevice = folder.resolve("opencl");
        Result result = tessera("train", "--preset", "tiny", "--steps", "4", "--device", "opencl", "--out",
                onDevice.toString());
        assertEquals(0, result.code(), result.err());
        assertTrue(Files.readString(onDevice.resolve("report.md")).contains("| device | `opencl` |"));
        Result generated = tessera("generate", "--checkpoint", onDevice.resolve("step-00000004").toString(),
                "--prompt", "12+3=", "--max-tokens", "3");
        assertEquals(0, generated.code(), generated.err());
        assertTrue(generated.out().startsWith("12+3="), generated.out());
    }

    /** The checkpoint folders in a run folder, sorted. */
    private static List<String> checkpoints(Path runFolder) throws IOException {
        try (Stream<Path> files = Files.list(runFolder)) {
            return files.map(f -> f.getFileName().toString()).filter(name -> name.startsWith("step-")).sorted().toList();
        }
    }

    private static void copy(Path checkpoint, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(checkpoint)) {
            for (Path file : files.toList()) {
                Files.copy(file, to.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static void assertOneLineError(Result result, int code, String says) {
        assertEquals(code, result.code(), result.err());
        String err = result.err().strip();
        assertFalse(err.contains("\n") || err.contains("Exception") || err.contains("\tat "), err);
        assertTrue(err.contains(says), err);
    }
}
