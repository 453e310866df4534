package dev.tessera.tests.moe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tessera.moe.ExpertLoad;
import dev.tessera.moe.RoutingStats;
import org.junit.jupiter.api.Test;

/** The balance metrics on known counts, and their accumulation over forwards. */
class RoutingStatsTest {
    @Test
    void metricsOfKnownCounts() {
        // 4 tokens x 2 slots over 4 experts: loads [6, 2, 0, 0], mean 2, one drop on expert 0
        ExpertLoad load = new ExpertLoad(new long[] {6, 2, 0, 0}, new long[] {1, 0, 0, 0}, 4, 2);
        assertEquals(8, load.assignments());
        assertEquals(2.0, load.meanLoad());
        assertEquals(3.0, load.maxOverMean());
        assertEquals(Math.sqrt(6) / 2, load.coefficientOfVariation(), 1e-15); // deviations 4, 0, -2, -2
        assertEquals(0.5, load.idleShare());
        assertEquals(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)), load.entropy(), 1e-15);
        assertEquals(1, load.dropped());
    }

    @Test
    void balancedAndEmptyLoads() {
        ExpertLoad balanced = new ExpertLoad(new long[] {3, 3, 3}, new long[3], 3, 3);
        assertEquals(1.0, balanced.maxOverMean());
        assertEquals(0.0, balanced.coefficientOfVariation());
        assertEquals(Math.log(3), balanced.entropy(), 1e-15);
        ExpertLoad empty = ExpertLoad.empty(3, 1);
        assertEquals(0.0, empty.maxOverMean());
        assertEquals(0.0, empty.coefficientOfVariation());
        assertEquals(0.0, empty.entropy());
        assertEquals(1.0, empty.idleShare());
    }

    @Test
    void statsAccumulateOverForwardsAndReset() {
        RoutingStats stats = new RoutingStats(3, 1);
        stats.add(new ExpertLoad(new long[] {2, 0, 0}, new long[] {1, 0, 0}, 2, 1));
        stats.add(new ExpertLoad(new long[] {0, 1, 1}, new long[3], 2, 1));
        assertEquals(2, stats.forwards());
        assertArrayEquals(new long[] {2, 1, 1}, stats.total().tokensPerExpert());
        assertArrayEquals(new long[] {1, 0, 0}, stats.total().droppedPerExpert());
        assertEquals(4, stats.total().tokens());
        assertEquals(1.5, stats.total().maxOverMean(), 1e-15);
        stats.reset();
        assertEquals(0, stats.forwards());
        assertEquals(ExpertLoad.empty(3, 1), stats.total());
        assertThrows(IllegalArgumentException.class, () -> stats.add(ExpertLoad.empty(4, 1)));
    }

    @Test
    void loadsAreCopiedInAndOut() {
        long[] counts = {1, 2};
        ExpertLoad load = new ExpertLoad(counts, new long[2], 3, 1);
        counts[0] = 99;
        load.tokensPerExpert()[1] = 99;
        assertArrayEquals(new long[] {1, 2}, load.tokensPerExpert());
    }
}
