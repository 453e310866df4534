package dev.tessera.tests.moe.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.moe.cli.Actions;
import dev.tessera.moe.cli.Balance;
import dev.tessera.moe.cli.DeviceChoice;
import dev.tessera.moe.cli.GenerateRequest;
import dev.tessera.moe.cli.InspectRequest;
import dev.tessera.moe.cli.ModelChoice;
import dev.tessera.moe.cli.Preset;
import dev.tessera.moe.cli.TesseraCli;
import dev.tessera.moe.cli.TrainOutcome;
import dev.tessera.moe.cli.TrainRequest;
import dev.tessera.moe.demo.data.DataSource;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line: help on every command, checked flags with one-line errors and exit 2, requests handed on. */
class TesseraCliTest {
    @TempDir
    Path folder;

    /** Records what the commands asked for; the test's stand-in for the model's actions. */
    private static final class Recording implements Actions {
        Object request;
        IOException failure;

        @Override
        public TrainOutcome train(TrainRequest request) throws IOException {
            this.request = request;
            if (failure != null) {
                throw failure;
            }
            return new TrainOutcome(request.out().resolve("report.md"), 1.5, 2000);
        }

        @Override
        public void generate(GenerateRequest request, PrintWriter out) {
            this.request = request;
            out.println("47");
        }

        @Override
        public void inspect(InspectRequest request, PrintWriter out) throws IOException {
            this.request = request;
            if (failure != null) {
                throw failure;
            }
        }
    }

    private record Result(int code, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    private final Recording actions = new Recording();

    private Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = TesseraCli.run(actions, args, new PrintWriter(out), new PrintWriter(err));
        return new Result(code, out.toString(), err.toString());
    }

    @Test
    void helpOnEveryCommand() {
        Result root = run("--help");
        assertEquals(0, root.code());
        assertTrue(root.out().contains("train") && root.out().contains("generate") && root.out().contains("inspect"), root.out());
        Result train = run("train", "--help");
        assertEquals(0, train.code());
        for (String flag : List.of("--config=FILE", "--preset=tiny|small", "--data=synthetic|text:PATH", "--steps=N",
                "--device=cpu|opencl", "--balance=bias|aux|none", "--compare-balance=bias|aux|none", "--out=DIR",
                "--resume=DIR")) {
            assertTrue(train.out().contains(flag), flag + " in\n" + train.out());
        }
        Result generate = run("generate", "--help");
        assertEquals(0, generate.code());
        for (String flag : List.of("--checkpoint=DIR", "--prompt=TEXT", "--max-tokens=N", "--temperature=T", "--top-p=P",
                "--seed=S")) {
            assertTrue(generate.out().contains(flag), flag + " in\n" + generate.out());
        }
        Result inspect = run("inspect", "-h");
        assertEquals(0, inspect.code());
        assertTrue(inspect.out().contains("--checkpoint=DIR"), inspect.out());
        assertNull(actions.request, "help runs nothing");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "fly", "train --nope", "train --preset huge", "train --steps 0", "train --steps many",
        "train --device tpu", "train --balance sometimes", "train --data wiki", "train --preset tiny --config x.json",
        "train extra", "train --compare-balance bias", "train --balance none --compare-balance none",
        "train --compare-balance never", "generate --prompt hi", "generate --checkpoint", "inspect"})
    void aUsageMistakeIsOneLineAndExitTwo(String line) {
        Result r = run(line.isEmpty() ? new String[0] : line.split(" "));
        assertEquals(2, r.code(), r.err());
        assertEquals(1, r.errLines().size(), "one line:\n" + r.err());
        assertTrue(r.err().startsWith("tessera"), r.err());
        assertTrue(r.err().contains("--help"), "says where help is: " + r.err());
        assertEquals("", r.out());
        assertNull(actions.request);
    }

    @Test
    void badGenerateValuesAreUsageMistakes() throws IOException {
        Path checkpoint = Files.createDirectories(folder.resolve("ckpt"));
        for (String[] bad : List.of(
                new String[] {"--max-tokens", "0"}, new String[] {"--temperature", "-1"}, new String[] {"--temperature", "NaN"},
                new String[] {"--top-p", "0"}, new String[] {"--top-p", "1.5"}, new String[] {"--seed", "x"})) {
            Result r = run("generate", "--checkpoint", checkpoint.toString(), "--prompt", "12+35=", bad[0], bad[1]);
            assertEquals(2, r.code(), String.join(" ", bad) + ": " + r.err());
            assertEquals(1, r.errLines().size(), r.err());
            assertTrue(r.err().contains(bad[0]), r.err());
        }
        assertNull(actions.request);
    }

    @Test
    void aMissingFileOrFolderIsNamed() {
        Path missing = folder.resolve("missing");
        for (String[] args : List.of(
                new String[] {"train", "--config", missing.toString()},
                new String[] {"train", "--resume", missing.toString()},
                new String[] {"train", "--data", "text:" + missing},
                new String[] {"generate", "--checkpoint", missing.toString(), "--prompt", "x"},
                new String[] {"inspect", "--checkpoint", missing.toString()})) {
            Result r = run(args);
            assertEquals(2, r.code(), String.join(" ", args));
            assertEquals(1, r.errLines().size(), r.err());
            assertTrue(r.err().contains(missing.toString()) && r.err().contains("no such"), r.err());
        }
        assertNull(actions.request);
    }

    @Test
    void trainHandsOnItsDefaultsAndPrintsTheSummary() {
        Result r = run("train");
        assertEquals(0, r.code(), r.err());
        TrainRequest request = assertInstanceOf(TrainRequest.class, actions.request);
        assertEquals(Preset.TINY, request.model());
        assertInstanceOf(DataSource.Synthetic.class, request.data());
        assertEquals(OptionalLong.empty(), request.steps());
        assertEquals(DeviceChoice.CPU, request.device());
        assertEquals(Balance.BIAS, request.balance());
        assertEquals(Optional.empty(), request.resume());
        assertEquals(Optional.empty(), request.compareBalance(), "no twin unless asked");
        assertTrue(request.out().toString().matches("runs/\\d{8}-\\d{6}"), request.out().toString());
        List<String> lines = r.out().lines().toList();
        assertEquals(2, lines.size(), r.out());
        assertTrue(lines.get(0).startsWith("Report: ") && lines.get(0).contains("report.md"), lines.get(0));
        assertEquals("Final eval loss 1.5000 nats per byte, 2,000 tokens/s", lines.get(1));
    }

    @Test
    void trainHandsOnEveryFlag() throws IOException {
        Path config = Files.writeString(folder.resolve("model.json"), "{}");
        Path text = Files.writeString(folder.resolve("t.txt"), "hello");
        Path resume = Files.createDirectories(folder.resolve("run1"));
        assertEquals(0, run("train", "--config", config.toString(), "--data", "text:" + text, "--steps", "50",
                "--device", "opencl", "--balance", "none", "--resume", resume.toString()).code());
        TrainRequest request = (TrainRequest) actions.request;
        assertEquals(new ModelChoice.ConfigFile(config), request.model());
        assertEquals(new DataSource.Text(text), request.data());
        assertEquals(OptionalLong.of(50), request.steps());
        assertEquals(DeviceChoice.OPENCL, request.device());
        assertEquals(Balance.NONE, request.balance());
        assertEquals(Optional.of(resume), request.resume());
        assertEquals(resume, request.out(), "a resumed run keeps its folder");

        Path out = folder.resolve("out");
        assertEquals(0, run("train", "--preset=small", "--balance=aux", "--out", out.toString()).code());
        request = (TrainRequest) actions.request;
        assertEquals(Preset.SMALL, request.model());
        assertEquals(Balance.AUX, request.balance());
        assertEquals(out, request.out());

        assertEquals(0, run("train", "--balance", "none", "--compare-balance", "bias", "--out", out.toString()).code());
        request = (TrainRequest) actions.request;
        assertEquals(Balance.NONE, request.balance());
        assertEquals(Optional.of(Balance.BIAS), request.compareBalance());

        actions.request = null;
        Result sameSetting = run("train", "--balance", "aux", "--compare-balance", "aux");
        assertEquals(2, sameSetting.code());
        assertEquals(1, sameSetting.errLines().size(), sameSetting.err());
        assertTrue(sameSetting.err().contains("--compare-balance aux") && sameSetting.err().contains("--balance aux"),
                sameSetting.err());
        Result twinOfAResume = run("train", "--compare-balance", "none", "--resume", resume.toString());
        assertEquals(2, twinOfAResume.code());
        assertTrue(twinOfAResume.err().contains("--compare-balance cannot go with --resume"), twinOfAResume.err());
        assertNull(actions.request, "a refused twin trains nothing");

        Result notAFolder = run("train", "--out", config.toString());
        assertEquals(2, notAFolder.code());
        assertTrue(notAFolder.err().contains("not a folder"), notAFolder.err());
    }

    @Test
    void generateAndInspectHandOnTheirFlags() throws IOException {
        Path checkpoint = Files.createDirectories(folder.resolve("step-100"));
        Result g = run("generate", "--checkpoint", checkpoint.toString(), "--prompt", "12+35=");
        assertEquals(0, g.code(), g.err());
        assertEquals("47\n", g.out());
        assertEquals(new GenerateRequest(checkpoint, "12+35=", 64, 0, 1, 0), actions.request);
        run("generate", "--checkpoint", checkpoint.toString(), "--prompt", "The cat", "--max-tokens", "5",
                "--temperature", "0.8", "--top-p", "0.9", "--seed", "7");
        assertEquals(new GenerateRequest(checkpoint, "The cat", 5, 0.8, 0.9, 7), actions.request);
        assertEquals(0, run("inspect", "--checkpoint", checkpoint.toString()).code());
        assertEquals(new InspectRequest(checkpoint), actions.request);
    }

    @Test
    void aFailureWhileWorkingIsOneLineAndExitOne() throws IOException {
        Path checkpoint = Files.createDirectories(folder.resolve("corrupt"));
        actions.failure = new IOException(checkpoint + "/model.safetensors: header length 99999 exceeds the file's 12 bytes");
        Result r = run("inspect", "--checkpoint", checkpoint.toString());
        assertEquals(TesseraCli.FAILED, r.code());
        assertEquals(List.of("tessera inspect: " + actions.failure.getMessage()), r.errLines());
        assertEquals("", r.out());
    }
}
