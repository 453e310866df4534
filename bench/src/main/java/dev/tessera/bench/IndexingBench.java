package dev.tessera.bench;

import dev.tessera.tensor.Generator;
import dev.tessera.tensor.Tensor;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Index-driven ops in the shapes of a small MoE transformer (hidden 512, 64 experts, top-8, a
 * 32000-token vocabulary), for T tokens:
 * <ul>
 *   <li>{@code embedding}: T rows of a [32000, 512] table (random token ids);</li>
 *   <li>{@code dispatch}: {@code index_select} of T * 8 rows of the activations [T, 512], the copy
 *       that groups tokens by expert (random token ids, so rows are read in no useful order);</li>
 *   <li>{@code gather}: the 8 chosen router probabilities of each token, [T, 64] to [T, 8];</li>
 *   <li>{@code combine}: {@code index_add} of the T * 8 expert outputs [T * 8, 512] back onto
 *       the activations [T, 512] (several adds land on the same row).</li>
 * </ul>
 * Each has a plain Java loop over {@code float[]} as the baseline ({@link System#arraycopy} per
 * row for the row copies).
 *
 * <p>Token counts: 256 (a short sequence) and 4096 (a training batch: dispatch then moves 64 MiB).
 *
 * <p>Units: microseconds per call. embedding moves T rows of 2 KiB, dispatch T * 8 rows (each read
 * and written once: GB/s = 2 * 2048 * rows / time); combine copies [T, 512] and then reads
 * T * 8 rows and updates as many. Tessera's calls include allocating their outputs; the baselines
 * write into arrays allocated once and run on one thread.
 */
public class IndexingBench extends KernelBench {
    private static final int HIDDEN = 512;
    private static final int VOCAB = 32000;
    private static final int EXPERTS = 64;
    private static final int TOP_K = 8;

    @Param({"256", "4096"})
    public int tokens;

    private Tensor table;
    private Tensor ids;
    private Tensor x;
    private Tensor slots;
    private Tensor expertOut;
    private Tensor probs;
    private Tensor choice;

    private float[] tableArray;
    private int[] idsArray;
    private float[] xArray;
    private int[] slotsArray;
    private float[] expertOutArray;
    private float[] probsArray;
    private int[] choiceArray;
    private float[] embeddingOut;
    private float[] dispatchOut;
    private float[] gatherOut;
    private float[] combineOut;

    @Setup
    public void setup(BenchmarkParams params) {
        Generator generator = new Generator(17);
        table = Tensor.randn(generator, VOCAB, HIDDEN);
        ids = Tensor.randint(generator, 0, VOCAB, tokens);
        x = Tensor.randn(generator, tokens, HIDDEN);
        slots = Tensor.randint(generator, 0, tokens, (long) tokens * TOP_K);
        expertOut = Tensor.randn(generator, (long) tokens * TOP_K, HIDDEN);
        probs = Tensor.randn(generator, tokens, EXPERTS).softmax(-1);
        choice = Tensor.randint(generator, 0, EXPERTS, tokens, TOP_K);

        tableArray = table.toFloatArray();
        idsArray = ids.toIntArray();
        xArray = x.toFloatArray();
        slotsArray = slots.toIntArray();
        expertOutArray = expertOut.toFloatArray();
        probsArray = probs.toFloatArray();
        choiceArray = choice.toIntArray();
        embeddingOut = new float[tokens * HIDDEN];
        dispatchOut = new float[tokens * TOP_K * HIDDEN];
        gatherOut = new float[tokens * TOP_K];
        combineOut = new float[tokens * HIDDEN];
        check(Verify.method(params));
    }

    private void check(String method) {
        Tensor tableRef = Verify.reference(table);
        Tensor idsRef = Verify.reference(ids);
        Tensor xRef = Verify.reference(x);
        Tensor slotsRef = Verify.reference(slots);
        Tensor expertOutRef = Verify.reference(expertOut);
        Tensor probsRef = Verify.reference(probs);
        Tensor choiceRef = Verify.reference(choice);
        switch (method) {
            case "embedding" -> Verify.close("embedding", embedding(), Tensor.embedding(tableRef, idsRef), 0, 0);
            case "dispatch" -> Verify.close("dispatch", dispatch(), xRef.indexSelect(0, slotsRef), 0, 0);
            case "gather" -> Verify.close("gather", gather(), probsRef.gather(1, choiceRef), 0, 0);
            case "combine" -> Verify.close("combine", combine(), xRef.indexAdd(0, slotsRef, expertOutRef), 1e-5, 1e-5);
            case "plainEmbedding" ->
                Verify.close("plainEmbedding", plainEmbedding(), Tensor.embedding(tableRef, idsRef), 0, 0);
            case "plainDispatch" -> Verify.close("plainDispatch", plainDispatch(), xRef.indexSelect(0, slotsRef), 0, 0);
            case "plainGather" -> Verify.close("plainGather", plainGather(), probsRef.gather(1, choiceRef), 0, 0);
            case "plainCombine" ->
                Verify.close("plainCombine", plainCombine(), xRef.indexAdd(0, slotsRef, expertOutRef), 1e-5, 1e-5);
            default -> throw new IllegalStateException("IndexingBench: no check for " + method);
        }
    }

    @Benchmark
    public Tensor embedding() {
        return Tensor.embedding(table, ids);
    }

    @Benchmark
    public Tensor dispatch() {
        return x.indexSelect(0, slots);
    }

    @Benchmark
    public Tensor gather() {
        return probs.gather(1, choice);
    }

    @Benchmark
    public Tensor combine() {
        return x.indexAdd(0, slots, expertOut);
    }

    @Benchmark
    public float[] plainEmbedding() {
        return copyRows(tableArray, idsArray, embeddingOut);
    }

    @Benchmark
    public float[] plainDispatch() {
        return copyRows(xArray, slotsArray, dispatchOut);
    }

    @Benchmark
    public float[] plainGather() {
        for (int t = 0; t < tokens; t++) {
            for (int j = 0; j < TOP_K; j++) {
                gatherOut[t * TOP_K + j] = probsArray[t * EXPERTS + choiceArray[t * TOP_K + j]];
            }
        }
        return gatherOut;
    }

    /** Copies the activations, then adds each expert output row to the row of its token, in order. */
    @Benchmark
    public float[] plainCombine() {
        System.arraycopy(xArray, 0, combineOut, 0, xArray.length);
        for (int i = 0; i < slotsArray.length; i++) {
            int target = slotsArray[i] * HIDDEN;
            int source = i * HIDDEN;
            for (int h = 0; h < HIDDEN; h++) {
                combineOut[target + h] += expertOutArray[source + h];
            }
        }
        return combineOut;
    }

    /** {@code out[i] = rows[index[i]]} for rows of HIDDEN floats. */
    private static float[] copyRows(float[] rows, int[] index, float[] out) {
        for (int i = 0; i < index.length; i++) {
            System.arraycopy(rows, index[i] * HIDDEN, out, i * HIDDEN, HIDDEN);
        }
        return out;
    }
}
