package dev.tessera.bench.peers;

import dev.tessera.tensor.Tensor;
import dev.tessera.tensor.cpu.Parallel;
import java.util.Map;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The machine's FMA-bound ceiling in GFLOP/s: every pool thread runs {@link #CHAINS} independent
 * chains of {@code acc = fma(acc, a, b)} over 16 float lanes, enough chains to hide the FMA latency,
 * with no memory traffic. The C peer (bench/peers/fma.c) runs the same chains from the same starting
 * values, so the results match bit for bit (one rounding per FMA on both sides).
 */
final class FmaCeiling implements PeerCase {
    static final int CHAINS = 12;
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_512;

    private final float[] start;
    private final float a;
    private final float b;
    private final long iterations;
    private final float[][] results = new float[Parallel.THREADS][];

    /** {@code x} holds the chains' starting values (CHAINS x 16), {@code ab} the multiplier and the addend. */
    FmaCeiling(Tensor x, Tensor ab, long iterations) {
        this.start = x.toFloatArray();
        float[] coefficients = ab.toFloatArray();
        if (start.length != CHAINS * S.length() || coefficients.length != 2) {
            throw new IllegalArgumentException("fma: x must hold " + CHAINS * S.length() + " floats and ab 2");
        }
        this.a = coefficients[0];
        this.b = coefficients[1];
        this.iterations = iterations;
    }

    @Override
    public void run() {
        Parallel.forChunks(Parallel.THREADS, 1, (chunk, from, to) -> results[chunk] = chains(start, a, b, iterations));
    }

    /** Thread 0's chains (every thread computes the same ones). */
    @Override
    public Map<String, Tensor> outputs() {
        return Map.of("acc", Tensor.of(results[0], CHAINS, S.length()));
    }

    private static float[] chains(float[] start, float a, float b, long iterations) {
        FloatVector va = FloatVector.broadcast(S, a);
        FloatVector vb = FloatVector.broadcast(S, b);
        int l = S.length();
        FloatVector c0 = FloatVector.fromArray(S, start, 0);
        FloatVector c1 = FloatVector.fromArray(S, start, l);
        FloatVector c2 = FloatVector.fromArray(S, start, 2 * l);
        FloatVector c3 = FloatVector.fromArray(S, start, 3 * l);
        FloatVector c4 = FloatVector.fromArray(S, start, 4 * l);
        FloatVector c5 = FloatVector.fromArray(S, start, 5 * l);
        FloatVector c6 = FloatVector.fromArray(S, start, 6 * l);
        FloatVector c7 = FloatVector.fromArray(S, start, 7 * l);
        FloatVector c8 = FloatVector.fromArray(S, start, 8 * l);
        FloatVector c9 = FloatVector.fromArray(S, start, 9 * l);
        FloatVector c10 = FloatVector.fromArray(S, start, 10 * l);
        FloatVector c11 = FloatVector.fromArray(S, start, 11 * l);
        for (long i = 0; i < iterations; i++) {
            c0 = c0.fma(va, vb);
            c1 = c1.fma(va, vb);
            c2 = c2.fma(va, vb);
            c3 = c3.fma(va, vb);
            c4 = c4.fma(va, vb);
            c5 = c5.fma(va, vb);
            c6 = c6.fma(va, vb);
            c7 = c7.fma(va, vb);
            c8 = c8.fma(va, vb);
            c9 = c9.fma(va, vb);
            c10 = c10.fma(va, vb);
            c11 = c11.fma(va, vb);
        }
        // One store per chain, spelled out: gathering the chains into a FloatVector[] first makes C2 box
        // them on every iteration of the loop above (measured: 6 GFLOP/s instead of 115 on one core).
        float[] out = new float[CHAINS * l];
        c0.intoArray(out, 0);
        c1.intoArray(out, l);
        c2.intoArray(out, 2 * l);
        c3.intoArray(out, 3 * l);
        c4.intoArray(out, 4 * l);
        c5.intoArray(out, 5 * l);
        c6.intoArray(out, 6 * l);
        c7.intoArray(out, 7 * l);
        c8.intoArray(out, 8 * l);
        c9.intoArray(out, 9 * l);
        c10.intoArray(out, 10 * l);
        c11.intoArray(out, 11 * l);
        return out;
    }
}
