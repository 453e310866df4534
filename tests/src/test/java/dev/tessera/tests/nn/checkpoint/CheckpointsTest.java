package dev.tessera.tests.nn.checkpoint;

import static dev.tessera.tests.nn.checkpoint.SameBits.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.nn.checkpoint.Checkpoints;
import dev.tessera.nn.checkpoint.TrainerState;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.io.SafeTensors;
import dev.tessera.tests.nn.checkpoint.TrainingRun.Kind;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint directory: what a save writes, listing and retention, crash leftovers, and every refusal. */
class CheckpointsTest {
    private static final Map<String, String> METADATA = Map.of("data", "next token of 3x+1 mod 10", "note", "ünïcödé \"q\"");

    @TempDir
    Path runDir;

    private TrainingRun trained(Kind kind, int steps) {
        TrainingRun run = new TrainingRun(kind, 1);
        run.train(0, steps);
        return run;
    }

    private static Path save(Checkpoints checkpoints, long step, TrainingRun run) throws IOException {
        return checkpoints.save(step, run.model, run.optimizer, TrainingRun.SCHEDULE, run.generators(), METADATA);
    }

    private static TrainerState load(Path dir, TrainingRun into) throws IOException {
        return Checkpoints.load(dir, into.model, into.optimizer, into.generators());
    }

    @Test
    void roundTripRestoresEverythingAndReturnsTheTrainerState() throws IOException {
        TrainingRun run = trained(Kind.ADAMW, 7);
        Path dir = save(new Checkpoints(runDir), 7, run);

        assertEquals(runDir.resolve("step-00000007"), dir);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("model.safetensors", "optimizer.safetensors", "trainer.json"),
                    files.map(p -> p.getFileName().toString()).sorted().toList());
        }
        assertEquals(run.model.stateDict().keySet(), SafeTensors.read(dir.resolve("model.safetensors")).keySet(),
                "the model file holds the state dict under its dotted names");

        TrainingRun fresh = new TrainingRun(Kind.ADAMW, 99);
        TrainerState state = load(dir, fresh);
        assertEquals(7, state.step());
        assertEquals("warmup_cosine", state.scheduleName());
        assertEquals(TrainingRun.SCHEDULE.settings(), state.scheduleSettings());
        assertEquals("AdamW", state.optimizerKind());
        assertEquals(run.optimizer.hyperParameters(), state.optimizerHyperParameters());
        assertEquals(METADATA, state.metadata());
        assertEquals(new TrainerState.GeneratorState(12, run.masks.offset()), state.generators().get("dropout"));
        assertSameBits("parameters", run.model.stateDict(), fresh.model.stateDict());
        assertSameBits("optimizer state", run.optimizer.stateDict(), fresh.optimizer.stateDict());
        assertEquals(run.optimizer.groups().get(0).lr(), fresh.optimizer.groups().get(0).lr());
        assertEquals(run.data.offset(), fresh.data.offset());
        assertEquals(run.masks.offset(), fresh.masks.offset());
    }

    @Test
    void anOptimizerThatHasNotSteppedRoundTrips() throws IOException {
        TrainingRun run = new TrainingRun(Kind.LION, 1);
        Path dir = save(new Checkpoints(runDir), 0, run);
        TrainingRun fresh = new TrainingRun(Kind.LION, 99);
        assertEquals(0, load(dir, fresh).step());
        assertTrue(fresh.optimizer.stateDict().isEmpty());
        assertSameBits("parameters", run.model.stateDict(), fresh.model.stateDict());
    }

    @Test
    void listAndLatestOrderByStepAndKeepLastDeletesTheOldest() throws IOException {
        TrainingRun run = trained(Kind.SGD_MOMENTUM, 2);
        Checkpoints all = new Checkpoints(runDir);
        assertEquals(List.of(), all.list(), "no run directory yet");
        assertTrue(all.latest().isEmpty());
        save(all, 100_000_000L, run); // more than 8 digits still sorts by number
        save(all, 9, run);
        save(all, 10, run);
        assertEquals(List.of(dir(9), dir(10), runDir.resolve("step-100000000")), all.list());

        Checkpoints lastTwo = all.keepLast(2);
        save(lastTwo, 11, run);
        assertEquals(List.of(dir(11), runDir.resolve("step-100000000")), lastTwo.list());
        assertEquals(runDir.resolve("step-100000000"), lastTwo.latest().orElseThrow());
        try (Stream<Path> entries = Files.list(runDir)) {
            assertEquals(2, entries.count(), "the deleted checkpoints leave nothing behind");
        }
    }

    @Test
    void namesThatAreNotCompleteCheckpointsAreNotListed() throws IOException {
        Files.createDirectories(runDir.resolve("step-12"));
        Files.createDirectories(runDir.resolve("step-000000012"));
        Files.createDirectories(runDir.resolve("step-0000001x"));
        Files.createFile(runDir.resolve("step-00000013"));
        assertEquals(List.of(), new Checkpoints(runDir).list());
    }

    /**
     * A crash mid-save leaves a hidden temporary directory, perhaps with a truncated file: latest()
     * ignores it, load() refuses it naming the file, and the next save removes it. A checkpoint
     * truncated later (a bad disk) is refused the same way, and a refused load changes nothing.
     */
    @Test
    void crashLeftoversAreIgnoredRefusedAndCleanedUp() throws IOException {
        TrainingRun run = trained(Kind.ADAMW, 3);
        Checkpoints checkpoints = new Checkpoints(runDir);
        Path complete = save(checkpoints, 3, run);
        Path leftover = runDir.resolve(".step-00000004.4242-1.tmp");
        Files.createDirectory(leftover);
        for (String name : List.of("model.safetensors", "optimizer.safetensors", "trainer.json")) {
            Files.copy(complete.resolve(name), leftover.resolve(name));
        }
        truncate(leftover.resolve("model.safetensors"));

        assertEquals(complete, checkpoints.latest().orElseThrow());
        assertEquals(List.of(complete), checkpoints.list());
        TrainingRun fresh = new TrainingRun(Kind.ADAMW, 99);
        Map<String, Tensor> before = fresh.model.stateDict();
        assertIoMessage(() -> load(leftover, fresh), leftover.resolve("model.safetensors").toString(), "truncated");

        truncate(complete.resolve("optimizer.safetensors"));
        assertIoMessage(() -> load(complete, fresh), complete.resolve("optimizer.safetensors").toString());
        assertSameBits("the model after refused loads", before, fresh.model.stateDict());
        assertEquals(0, fresh.masks.offset(), "the generators after refused loads");

        truncate(complete.resolve("trainer.json"));
        assertIoMessage(() -> load(complete, fresh), complete.resolve("trainer.json").toString(), "not valid JSON");

        save(checkpoints, 5, run);
        assertFalse(Files.exists(leftover), "the next save removes what a crashed one left");
    }

    @Test
    void missingFilesAndDirectoriesAreNamed() throws IOException {
        TrainingRun run = trained(Kind.ADAMW, 1);
        Path dir = save(new Checkpoints(runDir), 1, run);
        TrainingRun fresh = new TrainingRun(Kind.ADAMW, 99);
        assertThrows(NoSuchFileException.class, () -> load(runDir.resolve("step-00000002"), fresh));
        Files.delete(dir.resolve("optimizer.safetensors"));
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> load(dir, fresh));
        assertTrue(e.getMessage().contains(dir.resolve("optimizer.safetensors") + ": missing"), e.getMessage());
    }

    @Test
    void anUnknownFormatVersionOrABadFieldIsRefusedNamingTrainerJson() throws IOException {
        TrainingRun run = trained(Kind.ADAMW, 1);
        Path dir = save(new Checkpoints(runDir), 1, run);
        Path trainer = dir.resolve("trainer.json");
        String text = Files.readString(trainer);
        TrainingRun fresh = new TrainingRun(Kind.ADAMW, 99);

        Files.writeString(trainer, text.replace("\"format_version\": 1", "\"format_version\": 2"));
        assertIoMessage(() -> load(dir, fresh), trainer.toString(), "format_version 2", "reads 1");
        Files.writeString(trainer, text.replace("\"step\": 1", "\"step\": \"one\""));
        assertIoMessage(() -> load(dir, fresh), trainer.toString(), "step must be a number", "the string \"one\"");
        Files.writeString(trainer, text.replace("\"step\": 1", "\"step\": 1.5"));
        assertIoMessage(() -> load(dir, fresh), trainer.toString(), "step must be a whole number");
        Files.writeString(trainer, text.replace("\"metadata\"", "\"extra\": 0, \"metadata\""));
        assertIoMessage(() -> load(dir, fresh), trainer.toString(), "unexpected key \"extra\"");
        Files.writeString(trainer, text.replace("\"offset\"", "\"offs\""));
        assertIoMessage(() -> load(dir, fresh), trainer.toString(), "generators.data", "missing key \"offset\"");
    }

    @Test
    void aMismatchedModelIsRefusedWithTheStrictLoadMessageNamingTheFile() throws IOException {
        TrainingRun run = trained(Kind.ADAMW, 1);
        Path dir = save(new Checkpoints(runDir), 1, run);
        Path modelFile = dir.resolve("model.safetensors");
        Map<String, Tensor> renamed = new LinkedHashMap<>();
        SafeTensors.read(modelFile).forEach((name, t) -> renamed.put(name.replace("up_proj", "gate_proj"), t.copy()));
        SafeTensors.write(modelFile, renamed);
        TrainingRun fresh = new TrainingRun(Kind.ADAMW, 99);
        assertArgumentMessage(() -> load(dir, fresh), modelFile.toString(), "loadStateDict (strict)", "up_proj.weight",
                "gate_proj.weight");
    }

    @Test
    void aBadOptimizerStateIsRefusedNamingTheFileAndLeavesTheModelAsItWas() throws IOException {
        TrainingRun run = trained(Kind.ADAMW, 1);
        Path dir = save(new Checkpoints(runDir), 1, run);
        Path optimizerFile = dir.resolve("optimizer.safetensors");
        Map<String, Tensor> state = new LinkedHashMap<>(SafeTensors.read(optimizerFile));
        state.put("lm_head.bias.exp_avg", Tensor.zeros(3));
        SafeTensors.write(optimizerFile, state);
        TrainingRun fresh = new TrainingRun(Kind.ADAMW, 99);
        Map<String, Tensor> before = fresh.model.stateDict();
        assertArgumentMessage(() -> load(dir, fresh), optimizerFile.toString(), "lm_head.bias.exp_avg", "shape");
        assertSameBits("the model after the refused load", before, fresh.model.stateDict());
    }

    @Test
    void anOptimizerOrGeneratorsBuiltOtherwiseAreRefused() throws IOException {
        TrainingRun run = trained(Kind.ADAMW, 1);
        Path dir = save(new Checkpoints(runDir), 1, run);
        Path trainer = dir.resolve("trainer.json");
        TrainingRun lion = new TrainingRun(Kind.LION, 99);
        assertArgumentMessage(() -> load(dir, lion), trainer.toString(), "AdamW", "Lion");

        TrainingRun fresh = new TrainingRun(Kind.ADAMW, 99);
        Map<String, Generator> otherSeed = new LinkedHashMap<>(fresh.generators());
        otherSeed.put("dropout", new Generator(13));
        assertArgumentMessage(() -> Checkpoints.load(dir, fresh.model, fresh.optimizer, otherSeed), trainer.toString(),
                "'dropout' has seed 12", "13");
        assertArgumentMessage(() -> Checkpoints.load(dir, fresh.model, fresh.optimizer, Map.of("data", fresh.data)),
                trainer.toString(), "[data, dropout]", "[data]");
    }

    @Test
    void badSaveArgumentsAreRefused() throws IOException {
        TrainingRun run = new TrainingRun(Kind.ADAMW, 1);
        Checkpoints checkpoints = new Checkpoints(runDir);
        assertArgumentMessage(() -> checkpoints.save(-1, run.model, run.optimizer, TrainingRun.SCHEDULE,
                run.generators(), METADATA), "Checkpoints.save", "step", "-1");
        assertArgumentMessage(() -> checkpoints.save(1, null, run.optimizer, TrainingRun.SCHEDULE,
                run.generators(), METADATA), "Checkpoints.save", "null");
        Map<String, String> nullValue = new LinkedHashMap<>();
        nullValue.put("key", null);
        assertArgumentMessage(() -> checkpoints.save(1, run.model, run.optimizer, TrainingRun.SCHEDULE,
                run.generators(), nullValue), "Checkpoints.save", "metadata");
        assertArgumentMessage(() -> checkpoints.keepLast(0), "Checkpoints.keepLast", "0");
        assertEquals(List.of(), checkpoints.list(), "a refused save writes nothing");

        save(checkpoints, 1, run);
        assertThrows(FileAlreadyExistsException.class, () -> save(checkpoints, 1, run));
    }

    private Path dir(long step) {
        return runDir.resolve(Checkpoints.directoryName(step));
    }

    /** Cuts the file to half its length, as a crash or a full disk would. */
    private static void truncate(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(channel.size() / 2);
        }
    }

    private static void assertIoMessage(Executable call, String... parts) {
        IOException e = assertThrows(IOException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "'" + e.getMessage() + "' should mention " + part);
        }
    }

    private static void assertArgumentMessage(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), () -> "'" + e.getMessage() + "' should mention " + part);
        }
    }
}
