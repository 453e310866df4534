package dev.tessera.tests.autograd.engine;

import static dev.tessera.tests.autograd.engine.Graphs.assertThrowsMentioning;
import static dev.tessera.tests.autograd.engine.Graphs.callerLine;
import static dev.tessera.tests.autograd.engine.Graphs.tensor;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tessera.autograd.Anomaly;
import dev.tessera.tensor.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Anomaly mode names the op whose backward made a NaN or infinity, and the user's line that called it. */
class AnomalyTest {
    private static final Tensor INF_AND_ONE = tensor(new double[] {Double.POSITIVE_INFINITY, 1}, 2);

    @AfterEach
    void off() {
        Anomaly.enable(false);
    }

    @Test
    void namesTheOpAndTheCallSite() {
        Anomaly.enable(true);
        Tensor x = tensor(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor scaled = x.mul(INF_AND_ONE); int line = callerLine();
        // The gradient reaching `scaled` is 0; times inf it is NaN in mul's backward.
        Tensor loss = scaled.mul(Tensor.zeros(2)).sum();
        assertThrowsMentioning(ArithmeticException.class, loss::backward, "anomaly", "backward of mul", "NaN",
                "AnomalyTest.namesTheOpAndTheCallSite(AnomalyTest.java:" + line + ")");
    }

    @Test
    void offMeansNoCheck() {
        Tensor x = tensor(new double[] {1, 2}, 2).requiresGrad(true);
        x.mul(INF_AND_ONE).mul(Tensor.zeros(2)).sum().backward();
        double[] grad = x.grad().toDoubleArray();
        assertTrue(Double.isNaN(grad[0]), "0 * inf reached the gradient unchecked");
        assertTrue(grad[1] == 0);
    }

    @Test
    void anInfiniteGradientCountsToo() {
        Anomaly.enable(true);
        Tensor x = tensor(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor loss = x.mul(INF_AND_ONE).sum();
        assertThrowsMentioning(ArithmeticException.class, loss::backward, "backward of mul", "infinite");
    }

    @Test
    void theSlopeOfSqrtAtZeroIsNamed() {
        Anomaly.enable(true);
        Tensor x = tensor(new double[] {0, 4}, 2).requiresGrad(true);
        Tensor root = x.sqrt(); int line = callerLine();
        Tensor loss = root.sum();
        assertThrowsMentioning(ArithmeticException.class, loss::backward, "backward of sqrt", "infinite",
                "AnomalyTest.java:" + line + ")");
    }

    @Test
    void aGraphRecordedBeforeAnomalyModeSaysSo() {
        Tensor x = tensor(new double[] {1, 2}, 2).requiresGrad(true);
        Tensor loss = x.mul(INF_AND_ONE).sum();
        Anomaly.enable(true);
        assertThrowsMentioning(ArithmeticException.class, loss::backward, "backward of mul", "before anomaly mode");
    }
}
