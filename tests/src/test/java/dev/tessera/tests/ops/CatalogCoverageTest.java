package dev.tessera.tests.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.Op;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** Coverage cannot drop silently: every catalog op has a complete OpInfo, and every group an equivalence property on the cpu and on opencl. */
class CatalogCoverageTest {
    /** Random cases drawn per op to check that its generator works and makes cases of that op. */
    private static final int SAMPLES = 30;

    @Test
    void everyOpHasAnEntry() {
        List<Op> missing = Arrays.stream(Op.values()).filter(op -> !OpInfos.all().containsKey(op)).toList();
        assertEquals(List.of(), missing, "ops without an OpInfo");
    }

    @TestFactory
    Stream<DynamicTest> everyEntryIsComplete() {
        return Arrays.stream(Op.values()).map(op -> DynamicTest.dynamicTest(op.opName(), () -> {
            OpInfo info = OpInfos.get(op);
            assertEquals(op, info.op());
            assertFalse(info.dtypes().isEmpty(), op + ": no dtypes");
            assertNotNull(info.tolerance(), op + ": no tolerance");
            boolean hasErrors = !info.errors().isEmpty();
            boolean saysWhyNot = info.acceptsEveryInput() != null && !info.acceptsEveryInput().isBlank();
            assertTrue(hasErrors != saysWhyNot, op + ": needs error cases, or (only) a reason why no input is bad");
            info.samples().sampleStream().limit(SAMPLES).forEach(c -> {
                assertEquals(op, c.op(), "a sample of " + op + " calls another op: " + c);
                assertFalse(c.inputs().isEmpty(), op + ": a case without inputs");
            });
            for (EdgeShape edge : EdgeShape.values()) {
                assertEquals(op, info.edgeCase(edge).op(), op + ": edge case " + edge);
            }
        }));
    }

    @Test
    void everyGroupHasAnEquivalencePropertyOnEveryBackend() {
        for (Class<?> suite : List.of(BackendEquivalencePropertiesTest.class, OpenClEquivalencePropertiesTest.class)) {
            Set<String> drawn = Arrays.stream(suite.getDeclaredMethods())
                    .filter(m -> m.isAnnotationPresent(Property.class))
                    .flatMap(m -> Arrays.stream(m.getParameters()))
                    .map(p -> p.getAnnotation(ForAll.class))
                    .filter(f -> f != null)
                    .map(ForAll::value)
                    .collect(Collectors.toSet());
            List<String> missing = Arrays.stream(Op.Group.values()).map(CatalogCoverageTest::providerName)
                    .filter(name -> !drawn.contains(name)).toList();
            assertEquals(List.of(), missing, "groups without a property in " + suite.getSimpleName());
        }
        Set<String> provided = Arrays.stream(GroupSamples.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Provide.class))
                .map(m -> m.getName())
                .collect(Collectors.toSet());
        assertEquals(Arrays.stream(Op.Group.values()).map(CatalogCoverageTest::providerName).collect(Collectors.toSet()),
                provided, "GroupSamples has one provider per group");
    }

    /** ARG_REDUCE -> argReduce. */
    private static String providerName(Op.Group group) {
        String[] words = group.name().toLowerCase().split("_");
        StringBuilder name = new StringBuilder(words[0]);
        for (int i = 1; i < words.length; i++) {
            name.append(Character.toUpperCase(words[i].charAt(0))).append(words[i].substring(1));
        }
        return name.toString();
    }
}
