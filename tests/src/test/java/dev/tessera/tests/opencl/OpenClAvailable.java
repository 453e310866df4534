package dev.tessera.tests.opencl;

import dev.tessera.tensor.Device;
import dev.tessera.tensor.Tensor;
import net.jqwik.api.lifecycle.LifecycleContext;
import net.jqwik.api.lifecycle.SkipExecutionHook;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs the OpenCL tests where an OpenCL device works, and skips them with a one-line reason where
 * none does, except under CI ({@code CI=true}), where a missing device fails the run: CI installs
 * PoCL, so its absence there is a broken setup, not a reason to skip. For jqwik properties
 * ({@code @AddLifecycleHook(OpenClAvailable.class)}) and JUnit tests
 * ({@code @ExtendWith(OpenClAvailable.class)}).
 */
public final class OpenClAvailable implements SkipExecutionHook, ExecutionCondition {
    private static final String REASON = probe();

    private static String probe() {
        try {
            Tensor t = Tensor.of(new float[] {1, 2}).to(Device.opencl());
            float[] back = t.toFloatArray();
            return back[1] == 2 ? null : "the OpenCL device returned wrong data";
        } catch (RuntimeException | LinkageError e) {
            return e.getMessage();
        }
    }

    /** Null when OpenCL works; else why not. Throws under CI. */
    static String reason() {
        if (REASON != null && "true".equals(System.getenv("CI"))) {
            throw new AssertionError("CI=true but OpenCL is unavailable: " + REASON);
        }
        return REASON;
    }

    /**
     * The device of that name, for tests parameterised by device name: "opencl" skips the test
     * (a JUnit assumption) where OpenCL is unavailable, as the class-level hooks do.
     */
    public static Device device(String name) {
        if (name.equals("opencl")) {
            String reason = reason();
            Assumptions.assumeTrue(reason == null, () -> "no OpenCL device: " + reason);
        }
        return Device.of(name);
    }

    @Override
    public SkipResult shouldBeSkipped(LifecycleContext context) {
        String reason = reason();
        return reason == null ? SkipResult.doNotSkip() : SkipResult.skip("no OpenCL device: " + reason);
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        String reason = reason();
        return reason == null ? ConditionEvaluationResult.enabled("OpenCL works")
                : ConditionEvaluationResult.disabled("no OpenCL device: " + reason);
    }
}
