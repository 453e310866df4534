package dev.tessera.nn.checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a checkpoint's {@code trainer.json} holds: everything besides the tensors. The learning
 * rate schedule is a pure function of the step, so the step is what resumes it; the schedule's
 * name and settings are kept so a reader can see (or check) which schedule the run used.
 *
 * @param step the number of training steps done: the next step to run, and the schedule's argument
 * @param scheduleName the schedule's {@code name()}
 * @param scheduleSettings the schedule's {@code settings()} (Long or Double values)
 * @param optimizerKind the optimizer's class name: {@code AdamW}, {@code Lion} or {@code SGD}
 * @param optimizerHyperParameters the optimizer's {@code hyperParameters()} (Double or Boolean values)
 * @param groups the parameter groups in order, with the learning rate and weight decay each had
 * @param generators each random generator's state, by the name the caller gave it
 * @param metadata the caller's own string key/values
 */
public record TrainerState(long step, String scheduleName, Map<String, Number> scheduleSettings,
        String optimizerKind, Map<String, Object> optimizerHyperParameters, List<Group> groups,
        Map<String, GeneratorState> generators, Map<String, String> metadata) {
    /** The one format this version writes and reads. */
    public static final int FORMAT_VERSION = 1;

    /** One parameter group: its parameters' names in order, and its hyper-parameters. */
    public record Group(List<String> parameters, double lr, double weightDecay) {
        public Group {
            parameters = List.copyOf(parameters);
        }
    }

    /** A {@link dev.tessera.tensor.Generator}'s whole state: the key and the next unused block. */
    public record GeneratorState(long seed, long offset) {}

    /** Keeps unmodifiable copies, in the given orders. */
    public TrainerState {
        scheduleSettings = Collections.unmodifiableMap(new LinkedHashMap<>(scheduleSettings));
        optimizerHyperParameters = Collections.unmodifiableMap(new LinkedHashMap<>(optimizerHyperParameters));
        groups = List.copyOf(groups);
        generators = Collections.unmodifiableMap(new LinkedHashMap<>(generators));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }
}
