package dev.tessera.tests.autograd.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Device;
import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Tensor;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Rules on empty tensors, which central differences have nothing to step: backward through each
 * op from an input of shape [0, 3] must give an empty gradient of that shape, on both host backends.
 */
class EmptyGradientsTest {
    private static final long[] SHAPE = {0, 3};

    @TestFactory
    Stream<DynamicTest> gradientsOfEmptyInputsAreEmpty() {
        return Stream.of(Device.reference(), Device.cpu()).flatMap(device -> calls(device).entrySet().stream()
                .map(call -> DynamicTest.dynamicTest(device + " " + call.getKey(), () -> {
                    Tensor x = Tensor.zeros(DType.F32, SHAPE).to(device).requiresGrad(true);
                    call.getValue().apply(x).sum().backward();
                    assertArrayEquals(SHAPE, x.grad().shape());
                    assertEquals(DType.F32, x.grad().dtype());
                })));
    }

    private static Map<String, UnaryOperator<Tensor>> calls(Device device) {
        Map<String, UnaryOperator<Tensor>> calls = new LinkedHashMap<>();
        calls.put("gelu", Tensor::gelu);
        calls.put("pow", x -> x.pow(x));
        calls.put("maximum", x -> x.maximum(x.neg()));
        calls.put("add of a broadcast [3]", x -> x.add(Tensor.ones(3).to(device)));
        calls.put("clamp", x -> x.clamp(0, 1));
        calls.put("cast", x -> x.to(DType.F64));
        calls.put("sum over the empty dim", x -> x.sum(0));
        calls.put("logsumexp", x -> x.logsumexp(1));
        calls.put("var", x -> x.var(new int[] {1}, 0, false));
        calls.put("softmax", x -> x.softmax(1));
        calls.put("log_softmax over the empty dim", x -> x.logSoftmax(0));
        calls.put("cumsum over the empty dim", x -> x.cumsum(0));
        calls.put("topk of 0", x -> x.topk(0, 1, true).values());
        calls.put("sort", x -> x.sort(0, false).values());
        calls.put("matmul", x -> x.matmul(Tensor.ones(3, 2).to(device)));
        calls.put("gather", x -> x.gather(1, Tensor.zeros(DType.I64, 0, 2).to(device)));
        calls.put("index_select", x -> x.indexSelect(1, Tensor.of(new long[] {0, 2}).to(device)));
        calls.put("cat", x -> Tensor.cat(List.of(x, x), 0));
        calls.put("slice with a step", x -> x.slice(1, 0, 3, 2));
        calls.put("select", x -> x.select(1, 1));
        calls.put("expand", x -> x.expand(2, 0, 3));
        calls.put("permute", x -> x.permute(1, 0));
        calls.put("reshape", x -> x.reshape(-1));
        calls.put("rms_norm", x -> Fused.rmsNorm(x, Tensor.ones(3).to(device), 1e-6));
        return calls;
    }
}
