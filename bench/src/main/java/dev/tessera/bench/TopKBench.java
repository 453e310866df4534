package dev.tessera.bench;

import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.ValuesIndices;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Selection and sorting: MoE routing's {@code topk} over the last dim, k = 8 of [T, 64] scores
 * (DeepSeek-style fine-grained experts) and k = 2 of [T, 256], and a full stable sort of 2^16
 * floats (the sort behind expert dispatch and argsort).
 *
 * <p>Baselines: for topk, a plain Java insertion of each row into the k best so far (values and
 * indices, ties to the lower index, as Tessera's topk); for the sort, {@link Arrays#sort(float[])}
 * of a copy, which computes no indices and is not stable, so it is a lower bound on the work.
 *
 * <p>Token counts: 16 (a decoding step) and 4096 (a training batch of tokens).
 *
 * <p>Units: microseconds per call. A topk call reads T * E floats and writes T * k values and
 * T * k I64 indices: rows/s = T / time. A sort call reads n floats and writes n values and n
 * I64 indices. Tessera's calls include allocating their outputs; the baselines reuse arrays
 * (except the sort's copy) and run on one thread.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class TopKBench {
    /** Router scores for T tokens: [T, 64] and [T, 256], with arrays for the baseline's results. */
    @State(Scope.Thread)
    public static class Routing {
        @Param({"16", "4096"})
        public int tokens;

        Tensor scores64;
        Tensor scores256;
        float[] scores64s;
        float[] scores256s;
        float[] values;
        int[] indices;

        @Setup
        public void setup(BenchmarkParams params) {
            Generator generator = new Generator(15);
            scores64 = Tensor.randn(generator, tokens, 64);
            scores256 = Tensor.randn(generator, tokens, 256);
            scores64s = scores64.toFloatArray();
            scores256s = scores256.toFloatArray();
            values = new float[tokens * 8];
            indices = new int[tokens * 8];
            ValuesIndices want64 = Verify.reference(scores64).topk(8);
            ValuesIndices want256 = Verify.reference(scores256).topk(2);
            switch (Verify.method(params)) {
                case "topk8of64" -> check("topk8of64", scores64.topk(8), want64);
                case "topk2of256" -> check("topk2of256", scores256.topk(2), want256);
                case "plainTopk8of64" -> checkPlain("plainTopk8of64", 64, 8, want64);
                case "plainTopk2of256" -> checkPlain("plainTopk2of256", 256, 2, want256);
                default -> throw new IllegalStateException("TopKBench: no check for " + params.getBenchmark());
            }
        }

        private static void check(String what, ValuesIndices got, ValuesIndices want) {
            Verify.close(what + " values", got.values(), want.values(), 0, 0);
            Verify.close(what + " indices", got.indices(), want.indices(), 0, 0);
        }

        private void checkPlain(String what, int experts, int k, ValuesIndices want) {
            plainTopk(experts == 64 ? scores64s : scores256s, experts, k);
            Verify.close(what + " values", Arrays.copyOf(values, tokens * k), want.values(), 0, 0);
            Verify.close(what + " indices", Arrays.copyOf(indices, tokens * k), want.indices());
        }

        /** For each row, inserts every score into the sorted list of the k best so far. */
        float[] plainTopk(float[] scores, int experts, int k) {
            for (int t = 0; t < tokens; t++) {
                int base = t * k;
                int kept = 0;
                for (int e = 0; e < experts; e++) {
                    float v = scores[t * experts + e];
                    if (kept == k && v <= values[base + k - 1]) {
                        continue;
                    }
                    int at = Math.min(kept, k - 1);
                    while (at > 0 && values[base + at - 1] < v) {
                        values[base + at] = values[base + at - 1];
                        indices[base + at] = indices[base + at - 1];
                        at--;
                    }
                    values[base + at] = v;
                    indices[base + at] = e;
                    kept = Math.min(kept + 1, k);
                }
            }
            return values;
        }
    }

    /** 2^16 standard normals to sort. */
    @State(Scope.Thread)
    public static class SortInput {
        @Param({"65536"})
        public int n;

        Tensor x;
        float[] xs;

        @Setup
        public void setup(BenchmarkParams params) {
            x = Tensor.randn(new Generator(16), n);
            xs = x.toFloatArray();
            ValuesIndices want = Verify.reference(x).sort(0, false);
            switch (Verify.method(params)) {
                case "sort" -> {
                    ValuesIndices got = x.sort(0, false);
                    Verify.close("sort values", got.values(), want.values(), 0, 0);
                    Verify.close("sort indices", got.indices(), want.indices(), 0, 0);
                }
                case "plainSort" -> Verify.close("plainSort", plainSort(), want.values(), 0, 0);
                default -> throw new IllegalStateException("TopKBench: no check for " + params.getBenchmark());
            }
        }

        /** Sorts a copy, as a caller that must keep its input would. */
        float[] plainSort() {
            float[] sorted = xs.clone();
            Arrays.sort(sorted);
            return sorted;
        }
    }

    @Benchmark
    public ValuesIndices topk8of64(Routing routing) {
        return routing.scores64.topk(8);
    }

    @Benchmark
    public ValuesIndices topk2of256(Routing routing) {
        return routing.scores256.topk(2);
    }

    @Benchmark
    public float[] plainTopk8of64(Routing routing) {
        return routing.plainTopk(routing.scores64s, 64, 8);
    }

    @Benchmark
    public float[] plainTopk2of256(Routing routing) {
        return routing.plainTopk(routing.scores256s, 256, 2);
    }

    @Benchmark
    public ValuesIndices sort(SortInput input) {
        return input.x.sort(0, false);
    }

    @Benchmark
    public float[] plainSort(SortInput input) {
        return input.plainSort();
    }
}
