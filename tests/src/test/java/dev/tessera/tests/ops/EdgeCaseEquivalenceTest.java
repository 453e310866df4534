package dev.tessera.tests.ops;

import dev.tessera.tensor.Op;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every op on every {@link EdgeShape} (empty, 0-d, one element, 16 and 17 elements, a transposed
 * matrix), cpu against the reference, on every run: the random properties may miss them.
 */
class EdgeCaseEquivalenceTest {
    @TestFactory
    Stream<DynamicTest> everyOpMatchesTheReferenceOnEdgeShapes() {
        return Arrays.stream(Op.values()).flatMap(op -> Arrays.stream(EdgeShape.values()).map(edge -> {
            OpInfo info = OpInfos.get(op);
            return DynamicTest.dynamicTest(op.opName() + " " + edge.name().toLowerCase() + " "
                    + Shapes.str(edge.shapeFor(info.minRank())), () -> Equivalence.check(info.edgeCase(edge)));
        }));
    }
}
