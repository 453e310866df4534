package dev.tessera.tests.moe.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.moe.ExpertLoad;
import dev.tessera.moe.demo.data.Batch;
import dev.tessera.moe.demo.data.Batcher;
import dev.tessera.moe.demo.data.Sample;
import dev.tessera.moe.demo.metrics.LoadCurves;
import dev.tessera.moe.demo.metrics.LoadHistory;
import dev.tessera.moe.demo.metrics.LossByKind;
import dev.tessera.moe.demo.metrics.LossCurves;
import dev.tessera.moe.demo.metrics.LossHistory;
import dev.tessera.moe.demo.metrics.RoutingByKind;
import dev.tessera.moe.demo.metrics.RoutingCounts;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Per-kind losses, kind x expert routing counts and load curves on hand-made inputs. */
class MetricsTest {
    @Test
    void lossesAreMeanPerKindOverPositionsWithATarget() {
        // one row of T = 6: kind 0 "ab" (targets at 0..2), then kind 1 "" (BOS, EOS: a target at 4), pad at 5
        Batch batch = Batcher.all(List.of(Sample.whole(0, "a", "b"), Sample.whole(1, "", "")), 1, 6).getFirst();
        float[] losses = {1, 2, 3, 100, 5, 100};
        LossByKind byKind = new LossByKind(3);
        byKind.add(batch, losses);
        byKind.add(batch, losses);
        assertArrayEquals(new double[] {2, 5, Double.NaN}, byKind.means());
        assertArrayEquals(new long[] {6, 2, 0}, byKind.tokens());
        assertEquals((1 + 2 + 3 + 5) / 4.0, byKind.overall());
        assertThrows(IllegalArgumentException.class, () -> byKind.add(batch, new float[5]));
        assertThrows(IllegalArgumentException.class, () -> new LossByKind(1).add(batch, losses));
    }

    @Test
    void routingIsCountedPerLayerKindAndExpert() {
        RoutingByKind routing = new RoutingByKind(2, List.of("a", "b"), 3);
        // 3 tokens, K = 2: kinds a, padding, b
        routing.add(0, new int[] {0, -1, 1}, new long[] {0, 2, 1, 1, 2, 1}, 2);
        routing.add(0, new int[] {0}, new long[] {0, 1}, 2);
        routing.add(1, new int[] {1}, new long[] {2, 0}, 2);
        RoutingCounts counts = routing.counts();
        assertArrayEquals(new long[][] {{2, 1, 1}, {0, 1, 1}}, counts.counts()[0]);
        assertArrayEquals(new long[][] {{0, 0, 0}, {1, 0, 1}}, counts.counts()[1]);
        assertArrayEquals(new double[] {0.5, 0.25, 0.25}, counts.shares(0)[0]);
        assertArrayEquals(new double[] {0, 0, 0}, counts.shares(1)[0], "a kind never routed has no shares");
        assertThrows(IllegalArgumentException.class, () -> routing.add(0, new int[] {0}, new long[] {3, 0}, 2));
        assertThrows(IllegalArgumentException.class, () -> routing.add(0, new int[] {2}, new long[] {0, 1}, 2));
        assertThrows(IllegalArgumentException.class, () -> routing.add(0, new int[] {0, 0}, new long[] {0, 1}, 2));
    }

    @Test
    void historiesBecomeCurves() {
        LossHistory losses = new LossHistory(List.of("a", "b"));
        losses.addTrain(1, new double[] {4, Double.NaN});
        losses.addTrain(2, new double[] {3, 2});
        losses.addEval(2, new double[] {3.5, 2.5});
        LossCurves curves = losses.curves();
        assertArrayEquals(new long[] {1, 2}, curves.trainSteps());
        assertArrayEquals(new double[] {Double.NaN, 2}, curves.train()[1]);
        assertArrayEquals(new double[] {3.5}, curves.eval()[0]);
        assertThrows(IllegalArgumentException.class, () -> losses.addEval(3, new double[] {1}));

        LoadHistory load = new LoadHistory("bias", 2);
        ExpertLoad balanced = new ExpertLoad(new long[] {2, 2}, new long[2], 2, 2);
        ExpertLoad skewed = new ExpertLoad(new long[] {3, 1}, new long[2], 2, 2);
        load.add(10, List.of(balanced, skewed));
        LoadCurves loadCurves = load.curves();
        assertEquals("bias", loadCurves.run());
        assertArrayEquals(new double[][] {{1.0}, {1.5}}, loadCurves.maxOverMean());
        assertThrows(IllegalArgumentException.class, () -> load.add(11, List.of(balanced)));
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> new LossCurves(List.of("a"), new long[] {1}, new double[][] {{1, 2}}, new long[0], new double[][] {{}}))
                .getMessage().contains("expected 1"));
    }
}
