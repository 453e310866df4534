package dev.tessera.nn.checkpoint;

import dev.tessera.nn.optim.Optimizer;
import dev.tessera.nn.optim.ParamGroup;
import dev.tessera.tensor.Generator;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Checks that the objects a checkpoint is loaded into were built as the saved ones were: what a
 * checkpoint restores is state; what the caller built (optimizer kind and settings, groups,
 * generator seeds) must already match, or the continuation would silently differ.
 */
final class RestoreCheck {
    private RestoreCheck() {}

    static void optimizer(Path file, TrainerState saved, Optimizer optimizer) {
        String kind = optimizer.getClass().getSimpleName();
        if (!saved.optimizerKind().equals(kind) || !saved.optimizerHyperParameters().equals(optimizer.hyperParameters())) {
            throw new IllegalArgumentException(file + ": the checkpoint's optimizer is " + saved.optimizerKind() + " "
                    + saved.optimizerHyperParameters() + " but the given one is " + kind + " " + optimizer.hyperParameters());
        }
        List<ParamGroup> groups = optimizer.groups();
        if (groups.size() != saved.groups().size()) {
            throw new IllegalArgumentException(file + ": the checkpoint's optimizer has " + saved.groups().size()
                    + " parameter groups but the given one has " + groups.size());
        }
        for (int i = 0; i < groups.size(); i++) {
            TrainerState.Group want = saved.groups().get(i);
            List<String> names = new ArrayList<>(groups.get(i).parameters().keySet());
            if (!want.parameters().equals(names)) {
                throw new IllegalArgumentException(file + ": parameter group " + i + " holds " + want.parameters()
                        + " in the checkpoint but " + names + " in the given optimizer");
            }
            if (want.weightDecay() != groups.get(i).weightDecay()) {
                throw new IllegalArgumentException(file + ": parameter group " + i + " has weight decay "
                        + want.weightDecay() + " in the checkpoint but " + groups.get(i).weightDecay() + " in the given optimizer");
            }
        }
    }

    static void generators(Path file, TrainerState saved, Map<String, Generator> generators) {
        if (!saved.generators().keySet().equals(generators.keySet())) {
            throw new IllegalArgumentException(file + ": the checkpoint has the generators " + saved.generators().keySet()
                    + " but " + generators.keySet() + " were given");
        }
        generators.forEach((name, g) -> {
            long seed = saved.generators().get(name).seed();
            if (g.seed() != seed) {
                throw new IllegalArgumentException(file + ": generator '" + name + "' has seed " + seed
                        + " in the checkpoint but " + g.seed() + " was given");
            }
        });
    }
}
