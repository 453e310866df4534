package dev.tessera.tests.nn.checkpoint;

import static dev.tessera.tests.nn.checkpoint.SameBits.assertSameBits;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.nn.checkpoint.Checkpoints;
import dev.tessera.nn.checkpoint.TrainerState;
import dev.tessera.tests.nn.checkpoint.TrainingRun.Kind;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Training 2k steps straight equals training k, saving, loading into freshly built objects
 * (other initial weights, generators at offset 0) and training k more: every parameter, every
 * optimizer buffer and step count, every group's learning rate and every generator's offset,
 * bit for bit. The run uses a warm-up cosine schedule, weight decay on one of two groups and
 * dropout, whose masks come from a generator the checkpoint restores.
 */
class ResumeTest {
    private static final int HALF = TrainingRun.TOTAL_STEPS / 2;

    @TempDir
    Path runDir;

    @ParameterizedTest
    @EnumSource(Kind.class)
    void resumeContinuesBitForBit(Kind kind) throws IOException {
        TrainingRun straight = new TrainingRun(kind, 1);
        straight.train(0, TrainingRun.TOTAL_STEPS);

        TrainingRun first = new TrainingRun(kind, 1);
        first.train(0, HALF);
        Checkpoints checkpoints = new Checkpoints(runDir);
        checkpoints.save(HALF, first.model, first.optimizer, TrainingRun.SCHEDULE, first.generators(), Map.of());

        TrainingRun resumed = new TrainingRun(kind, 99);
        TrainerState state = Checkpoints.load(checkpoints.latest().orElseThrow(), resumed.model, resumed.optimizer,
                resumed.generators());
        assertEquals(HALF, state.step());
        resumed.train(state.step(), TrainingRun.TOTAL_STEPS);

        assertSameBits(kind + " parameters", straight.model.stateDict(), resumed.model.stateDict());
        assertSameBits(kind + " optimizer state", straight.optimizer.stateDict(), resumed.optimizer.stateDict());
        assertEquals(hyperParameters(straight), hyperParameters(resumed), "each group's lr and weight decay");
        assertEquals(straight.data.offset(), resumed.data.offset());
        assertEquals(straight.masks.offset(), resumed.masks.offset());
    }

    private static List<List<Double>> hyperParameters(TrainingRun run) {
        return run.optimizer.groups().stream().map(g -> List.of(g.lr(), g.weightDecay())).toList();
    }

    /** The control: without the dropout generator's position the resumed run differs, so the test above can fail. */
    @Test
    void resumingWithTheMaskGeneratorRewoundDiverges() throws IOException {
        TrainingRun straight = new TrainingRun(Kind.ADAMW, 1);
        straight.train(0, TrainingRun.TOTAL_STEPS);
        TrainingRun first = new TrainingRun(Kind.ADAMW, 1);
        first.train(0, HALF);
        Path saved = new Checkpoints(runDir).save(HALF, first.model, first.optimizer, TrainingRun.SCHEDULE,
                first.generators(), Map.of());

        TrainingRun resumed = new TrainingRun(Kind.ADAMW, 99);
        Checkpoints.load(saved, resumed.model, resumed.optimizer, resumed.generators());
        resumed.masks.setOffset(0);
        resumed.train(HALF, TrainingRun.TOTAL_STEPS);

        long[] want = SameBits.bits(straight.model.stateDict().get("lm_head.weight"));
        long[] got = SameBits.bits(resumed.model.stateDict().get("lm_head.weight"));
        assertFalse(Arrays.equals(want, got), "other dropout masks must give other weights");
        assertThrows(AssertionError.class,
                () -> assertSameBits("parameters", straight.model.stateDict(), resumed.model.stateDict()));
    }
}
