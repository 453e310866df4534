package dev.tessera.nn.checkpoint;

import dev.tessera.tensor.io.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link TrainerState} as {@code trainer.json}:
 * <pre>
 * {
 *   "format_version": 1,
 *   "step": 1200,
 *   "schedule": {"name": "warmup_cosine", "settings": {"peak": 0.001, "warmup_steps": 100, ...}},
 *   "optimizer": {"kind": "AdamW", "hyper_parameters": {"beta1": 0.9, ...},
 *                 "groups": [{"parameters": ["embed.weight", ...], "lr": 0.00093, "weight_decay": 0.1}]},
 *   "generators": {"dropout": {"seed": 7, "offset": 48000}},
 *   "metadata": {"data": "tiny-shakespeare"}
 * }
 * </pre>
 * Doubles are written as their shortest exact decimal, so they read back bit for bit.
 */
final class TrainerJson {
    private static final Set<String> TOP = Set.of("format_version", "step", "schedule", "optimizer", "generators", "metadata");

    private TrainerJson() {}

    static void write(Path file, TrainerState state) throws IOException {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format_version", TrainerState.FORMAT_VERSION);
        root.put("step", state.step());
        Map<String, Object> schedule = new LinkedHashMap<>();
        schedule.put("name", state.scheduleName());
        schedule.put("settings", state.scheduleSettings());
        root.put("schedule", schedule);
        List<Object> groups = new ArrayList<>();
        for (TrainerState.Group group : state.groups()) {
            Map<String, Object> g = new LinkedHashMap<>();
            g.put("parameters", group.parameters());
            g.put("lr", group.lr());
            g.put("weight_decay", group.weightDecay());
            groups.add(g);
        }
        Map<String, Object> optimizer = new LinkedHashMap<>();
        optimizer.put("kind", state.optimizerKind());
        optimizer.put("hyper_parameters", state.optimizerHyperParameters());
        optimizer.put("groups", groups);
        root.put("optimizer", optimizer);
        Map<String, Object> generators = new LinkedHashMap<>();
        state.generators().forEach((name, g) -> {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("seed", g.seed());
            fields.put("offset", g.offset());
            generators.put(name, fields);
        });
        root.put("generators", generators);
        root.put("metadata", state.metadata());
        Json.write(file, root);
    }

    /** Reads and checks {@code file}; the format version first, so a newer file says so rather than something vaguer. */
    static TrainerState read(Path file) throws IOException {
        JsonFields root = JsonFields.root(file, Json.read(file));
        long version = root.wholeNumber("format_version");
        if (version != TrainerState.FORMAT_VERSION) {
            throw new IOException(file + ": format_version " + version + " is not one this Tessera reads (it reads "
                    + TrainerState.FORMAT_VERSION + ")");
        }
        root.expectKeys(TOP);
        long step = root.wholeNumber("step");
        if (step < 0) {
            throw new IOException(file + ": step must be >= 0, found " + step);
        }
        JsonFields schedule = root.object("schedule").expectKeys(Set.of("name", "settings"));
        Map<String, Number> scheduleSettings = new LinkedHashMap<>();
        for (Map.Entry<String, Object> setting : schedule.scalars("settings").entrySet()) {
            if (!(setting.getValue() instanceof Number n)) {
                throw new IOException(file + ": schedule.settings." + setting.getKey() + " must be a number, found "
                        + setting.getValue());
            }
            scheduleSettings.put(setting.getKey(), n);
        }
        JsonFields optimizer = root.object("optimizer").expectKeys(Set.of("kind", "hyper_parameters", "groups"));
        List<TrainerState.Group> groups = new ArrayList<>();
        for (JsonFields g : optimizer.objectList("groups")) {
            g.expectKeys(Set.of("parameters", "lr", "weight_decay"));
            double lr = g.finiteNumber("lr");
            double weightDecay = g.finiteNumber("weight_decay");
            if (lr < 0 || weightDecay < 0) {
                throw new IOException(file + ": optimizer.groups[" + groups.size() + "] needs lr and weight_decay >= 0, found "
                        + lr + " and " + weightDecay);
            }
            groups.add(new TrainerState.Group(g.stringList("parameters"), lr, weightDecay));
        }
        Map<String, TrainerState.GeneratorState> generators = new LinkedHashMap<>();
        for (Map.Entry<String, JsonFields> g : root.objects("generators").entrySet()) {
            JsonFields fields = g.getValue().expectKeys(Set.of("seed", "offset"));
            long offset = fields.wholeNumber("offset");
            if (offset < 0) {
                throw new IOException(file + ": generators." + g.getKey() + ".offset must be >= 0, found " + offset);
            }
            generators.put(g.getKey(), new TrainerState.GeneratorState(fields.wholeNumber("seed"), offset));
        }
        return new TrainerState(step, schedule.string("name"), scheduleSettings, optimizer.string("kind"),
                optimizer.scalars("hyper_parameters"), groups, generators, root.stringMap("metadata"));
    }
}
