package dev.tessera.tests.ops;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.tensor.Device;
import dev.tessera.tensor.Op;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every op's bad calls, on every device: each must throw an {@link IllegalArgumentException}
 * whose message names the op (as {@link Op#opName()} spells it, as a whole word) and the
 * offending shape, dtype, dim or value.
 */
class BadInputTest {
    private static final List<String> DEVICES = List.of("cpu", "reference");

    @TestFactory
    Stream<DynamicTest> everyBadCallFailsWithAMessageNamingTheOpAndTheProblem() {
        return Arrays.stream(Op.values()).flatMap(op -> OpInfos.get(op).errors().stream().flatMap(error -> DEVICES.stream()
                .map(device -> DynamicTest.dynamicTest(op.opName() + ": " + error + " on " + device,
                        () -> check(op, error, Device.of(device))))));
    }

    private static void check(Op op, ErrorCase error, Device home) {
        IllegalArgumentException thrown = assertThrows(IllegalArgumentException.class, () -> error.call().run(home),
                op.opName() + ": " + error + " did not throw");
        String message = String.valueOf(thrown.getMessage());
        assertTrue(Pattern.compile("\\b" + Pattern.quote(op.opName()) + "\\b").matcher(message).find(),
                () -> op.opName() + ": " + error + ": the message does not name the op: " + message);
        for (String fragment : error.fragments()) {
            assertTrue(message.contains(fragment),
                    () -> op.opName() + ": " + error + ": the message lacks '" + fragment + "': " + message);
        }
    }
}
