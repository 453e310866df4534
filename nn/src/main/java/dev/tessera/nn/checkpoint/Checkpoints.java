package dev.tessera.nn.checkpoint;

import dev.tessera.nn.Module;
import dev.tessera.nn.optim.LrSchedule;
import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.ParamGroup;
import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.io.FolderSync;
import dev.tessera.tensor.io.SafeTensors;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The checkpoints of one training run: a directory {@code step-<8-digit step>} per save under
 * the run directory, holding
 * <ul>
 *   <li>{@value #MODEL_FILE}: the model's state dict under its dotted (Hugging Face) names;</li>
 *   <li>{@value #OPTIMIZER_FILE}: the optimizer's state dict (moments, and each parameter's
 *       update count as a 0-d I64 tensor);</li>
 *   <li>{@value #TRAINER_FILE}: everything else, a {@link TrainerState} as indented JSON.</li>
 * </ul>
 *
 * <p><b>Atomic saves.</b> A save writes into a hidden temporary sibling directory, each file
 * fsync'd, then renames it to its {@code step-} name in one atomic step and syncs the run
 * directory. A crash part-way leaves only the temporary directory, which {@link #list()} and
 * {@link #latest()} never return and the next save removes. So every {@code step-} directory is
 * complete. One process writes to a run directory at a time.
 *
 * <p><b>Bit-identical resume.</b> {@link #load} restores the parameters, the optimizer's state
 * and groups' learning rates, and the generators' positions; the schedule is a pure function of
 * the step, which {@link TrainerState#step()} returns. Continuing from there with the same data
 * gives the same bits as a run that never stopped.
 */
public final class Checkpoints {
    public static final String MODEL_FILE = "model.safetensors";
    public static final String OPTIMIZER_FILE = "optimizer.safetensors";
    public static final String TRAINER_FILE = "trainer.json";
    private static final Pattern STEP_DIR = Pattern.compile("step-(\\d{8,})");
    /** The temporary names of saves in progress and of checkpoints being deleted. */
    private static final Pattern TEMPORARY = Pattern.compile("\\.step-\\d{8,}\\.[0-9]+-[0-9]+\\.tmp");
    private static final AtomicLong COUNTER = new AtomicLong();

    private final Path runDir;
    /** How many complete checkpoints a save leaves; 0 keeps them all. */
    private final int keepLast;

    /** The checkpoints under {@code runDir} (created by the first save), all kept. */
    public Checkpoints(Path runDir) {
        this(runDir, 0);
    }

    private Checkpoints(Path runDir, int keepLast) {
        if (runDir == null) {
            throw new IllegalArgumentException("Checkpoints: the run directory must not be null");
        }
        this.runDir = runDir;
        this.keepLast = keepLast;
    }

    /** The same run directory, but each successful save then deletes the oldest checkpoints beyond the newest {@code n}. */
    public Checkpoints keepLast(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("Checkpoints.keepLast: n must be >= 1, got " + n);
        }
        return new Checkpoints(runDir, n);
    }

    public Path runDir() {
        return runDir;
    }

    /** The directory a checkpoint of {@code step} has: {@code step-00001200}. */
    public static String directoryName(long step) {
        return String.format("step-%08d", step);
    }

    /**
     * Saves a checkpoint of {@code step} (the number of training steps done) and returns its
     * directory; see the class comment for what it holds and how it is written. With
     * {@link #keepLast}, then deletes the oldest checkpoints beyond the newest n.
     *
     * @param generators the random generators the run draws from (dropout, data order), by a name of the caller's choosing
     * @param metadata the caller's own notes, kept as given in {@code trainer.json}
     * @throws FileAlreadyExistsException if a checkpoint of that step exists
     * @throws IllegalArgumentException for a negative step, a null argument, or a null or empty name or value
     */
    public Path save(long step, Module model, Optimizer optimizer, LrSchedule schedule, Map<String, Generator> generators,
            Map<String, String> metadata) throws IOException {
        TrainerState state = describe(step, model, optimizer, schedule, generators, metadata);
        Path target = runDir.resolve(directoryName(step));
        if (Files.exists(target)) {
            throw new FileAlreadyExistsException(target.toString(), null, "a checkpoint of step " + step + " exists");
        }
        Files.createDirectories(runDir);
        removeTemporaries();
        Path temporary = temporaryFor(step);
        Files.createDirectory(temporary);
        try {
            SafeTensors.write(temporary.resolve(MODEL_FILE), model.stateDict());
            SafeTensors.write(temporary.resolve(OPTIMIZER_FILE), optimizer.stateDict());
            TrainerJson.write(temporary.resolve(TRAINER_FILE), state);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException failure) {
            deleteTree(temporary);
            throw failure;
        }
        FolderSync.force(runDir);
        if (keepLast > 0) {
            List<Path> complete = list();
            for (Path old : complete.subList(0, Math.max(0, complete.size() - keepLast))) {
                delete(old);
            }
        }
        return target;
    }

    /** The complete checkpoints, oldest step first; empty when the run directory does not exist. */
    public List<Path> list() throws IOException {
        if (!Files.isDirectory(runDir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(runDir)) {
            return entries.filter(Files::isDirectory)
                    .filter(dir -> stepOf(dir) >= 0)
                    .sorted(Comparator.comparingLong(Checkpoints::stepOf))
                    .toList();
        }
    }

    /** The checkpoint of the highest step, if there is one. */
    public Optional<Path> latest() throws IOException {
        List<Path> all = list();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.getLast());
    }

    /**
     * Restores the checkpoint in {@code dir} into freshly built {@code model}, {@code optimizer}
     * and {@code generators} (the same architecture, optimizer kind and settings, parameter groups,
     * generator names and seeds as the run that saved it): the parameters, the optimizer's state
     * and each group's learning rate, each generator's offset. Everything is checked before
     * anything changes; on any error nothing has changed.
     *
     * @return the rest of the checkpoint: the step to continue from, the schedule's name and settings, the metadata
     * @throws IOException naming the file, if one is missing, unreadable or corrupt, or of a format version this
     *     code does not know
     * @throws IllegalArgumentException naming the file, if the model, optimizer or generators do not match it
     */
    public static TrainerState load(Path dir, Module model, Optimizer optimizer, Map<String, Generator> generators)
            throws IOException {
        if (model == null || optimizer == null || generators == null) {
            throw new IllegalArgumentException("Checkpoints.load: model, optimizer and generators must not be null");
        }
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not a checkpoint directory (no such directory)");
        }
        Path trainerFile = existing(dir, TRAINER_FILE);
        Path modelFile = existing(dir, MODEL_FILE);
        Path optimizerFile = existing(dir, OPTIMIZER_FILE);
        TrainerState state = TrainerJson.read(trainerFile);
        RestoreCheck.optimizer(trainerFile, state, optimizer);
        RestoreCheck.generators(trainerFile, state, generators);
        Map<String, Tensor> modelState = SafeTensors.read(modelFile);
        Map<String, Tensor> optimizerState = SafeTensors.read(optimizerFile);
        Map<String, Tensor> before = model.stateDict();
        try {
            model.loadStateDict(modelState, true);
        } catch (IllegalArgumentException mismatch) {
            throw new IllegalArgumentException(modelFile + ": " + mismatch.getMessage(), mismatch);
        }
        try {
            optimizer.loadStateDict(optimizerState);
        } catch (IllegalArgumentException mismatch) {
            model.loadStateDict(before, true);
            throw new IllegalArgumentException(optimizerFile + ": " + mismatch.getMessage(), mismatch);
        }
        for (int i = 0; i < state.groups().size(); i++) {
            optimizer.setLr(i, state.groups().get(i).lr());
        }
        generators.forEach((name, g) -> g.setOffset(state.generators().get(name).offset()));
        return state;
    }

    private static TrainerState describe(long step, Module model, Optimizer optimizer, LrSchedule schedule,
            Map<String, Generator> generators, Map<String, String> metadata) {
        if (step < 0) {
            throw new IllegalArgumentException("Checkpoints.save: the step must be >= 0, got " + step);
        }
        if (model == null || optimizer == null || schedule == null || generators == null || metadata == null) {
            throw new IllegalArgumentException("Checkpoints.save: model, optimizer, schedule, generators and metadata"
                    + " must not be null (pass empty maps for none)");
        }
        Map<String, TrainerState.GeneratorState> generatorStates = new LinkedHashMap<>();
        generators.forEach((name, g) -> {
            if (name == null || name.isEmpty() || g == null) {
                throw new IllegalArgumentException("Checkpoints.save: a generator needs a non-empty name, got '" + name
                        + "' -> " + g);
            }
            generatorStates.put(name, new TrainerState.GeneratorState(g.seed(), g.offset()));
        });
        metadata.forEach((key, value) -> {
            if (key == null || value == null) {
                throw new IllegalArgumentException("Checkpoints.save: metadata may not hold null, got " + key + " -> " + value);
            }
        });
        List<TrainerState.Group> groups = new ArrayList<>();
        for (ParamGroup group : optimizer.groups()) {
            groups.add(new TrainerState.Group(new ArrayList<>(group.parameters().keySet()), group.lr(), group.weightDecay()));
        }
        return new TrainerState(step, schedule.name(), schedule.settings(), optimizer.getClass().getSimpleName(),
                optimizer.hyperParameters(), groups, generatorStates, metadata);
    }

    private static Path existing(Path dir, String name) throws NoSuchFileException {
        Path file = dir.resolve(name);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "missing: a checkpoint holds " + MODEL_FILE + ", "
                    + OPTIMIZER_FILE + " and " + TRAINER_FILE);
        }
        return file;
    }

    /** The step of a complete checkpoint's directory, or -1 for any other name. */
    private static long stepOf(Path dir) {
        String name = dir.getFileName().toString();
        Matcher m = STEP_DIR.matcher(name);
        if (!m.matches()) {
            return -1;
        }
        try {
            long step = Long.parseLong(m.group(1));
            // Only the canonical spelling, so that no two directories claim one step.
            return name.equals(directoryName(step)) ? step : -1;
        } catch (NumberFormatException tooLong) {
            return -1;
        }
    }

    private Path temporaryFor(long step) {
        return runDir.resolve("." + directoryName(step) + "." + ProcessHandle.current().pid() + "-"
                + COUNTER.incrementAndGet() + ".tmp");
    }

    /** Deletes what crashed saves and deletions left behind. */
    private void removeTemporaries() throws IOException {
        List<Path> leftovers;
        try (Stream<Path> entries = Files.list(runDir)) {
            leftovers = entries.filter(p -> TEMPORARY.matcher(p.getFileName().toString()).matches()).toList();
        }
        for (Path leftover : leftovers) {
            deleteTree(leftover);
        }
    }

    /** Renames the checkpoint out of the {@code step-} names first, so a crash part-way never leaves a partial one listed. */
    private void delete(Path checkpoint) throws IOException {
        Path doomed = temporaryFor(stepOf(checkpoint));
        Files.move(checkpoint, doomed, StandardCopyOption.ATOMIC_MOVE);
        FolderSync.force(runDir);
        deleteTree(doomed);
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        List<Path> deepestFirst;
        try (Stream<Path> all = Files.walk(root)) {
            deepestFirst = all.sorted(Comparator.reverseOrder()).toList();
        }
        for (Path p : deepestFirst) {
            Files.delete(p);
        }
    }
}
