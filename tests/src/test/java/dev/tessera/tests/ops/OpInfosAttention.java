package dev.tessera.tests.ops;

import static dev.tessera.tests.ops.Domain.INF;
import static dev.tessera.tests.ops.Tolerance.EPS;

import dev.tessera.tensor.DType;
import dev.tessera.tensor.Fused;
import dev.tessera.tensor.Op;
import dev.tessera.tensor.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/**
 * attention and its gradient kernel. The main shape is q's {@code [B, H, Nq, D]}; the seed draws the
 * kv heads (a divisor of H), Nk (either side of Nq, around the block size of 64, and 0), Dv, scale,
 * causal, and an optional additive mask broadcast from a smaller shape (stride 0) with -infinity
 * entries, which hide single keys or, on a [.., Nq, 1] mask, whole rows. q, k, v are also drawn as
 * [B, N, H, D] tensors transposed to [B, H, N, D], the layout a projection gives.
 */
final class OpInfosAttention {
    private static final long[] LENGTHS = {0, 1, 2, 5, 17, 63, 64, 65, 100, 129};
    private static final long[] HEAD_DIMS = {1, 3, 8, 16, 17};

    private OpInfosAttention() {}

    static List<OpInfo> attention() {
        return List.of(forward(), backward());
    }

    /** One drawn call: inputs and the arguments the seed chose. */
    private record Call(List<Input> inputs, boolean masked, boolean headsMajor, double scale, boolean causal, String params) {
        /** q, k, v (and gradOut) as [B, H, N, D] views; the mask as drawn (the front end broadcasts it). */
        Tensor qkv(List<Tensor> in, int i) {
            return headsMajor ? in.get(i) : in.get(i).transpose(1, 2);
        }

        Tensor mask(List<Tensor> in) {
            return masked ? in.get(3) : null;
        }
    }

    /**
     * out = sum_c softmax_c(s) v_c with s a D-term dot product: each element errs by a few eps per
     * term of the score (|s| <= D |scale|, so the exp's relative error is D eps) and per key summed,
     * both for the out and for lse. BF16/F16 outputs may round differently by an ulp or two.
     */
    private static OpInfo forward() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Call call = draw(shape, dtype, layout, r, false);
            long terms = shape[3] + call.inputs.get(1).shape()[call.headsMajor ? 2 : 1];
            return new OpCase(Op.ATTENTION, call.params, call.inputs, terms, in -> {
                Tensor q = call.qkv(in, 0);
                Tensor k = call.qkv(in, 1);
                Tensor v = call.qkv(in, 2);
                Tensor mask = call.mask(in);
                Tensor out = Fused.attention(q, k, v, mask, call.scale, call.causal);
                return List.of(out, forwardThroughBackend(q, k, v, mask, call.scale, call.causal).get(1));
            });
        };
        return OpInfo.of(Op.ATTENTION).dtypes(Cases.FLOATS).minRank(4).shapes(queryShapes()).maker(maker)
                .tolerance(Tolerance.growing(16 * EPS, 16 * EPS, 4 * EPS, 4 * EPS).lowPrecisionUlps(2))
                .error("a rank-3 q", home -> Fused.attention(z(home, 2, 3, 4), z(home, 1, 2, 3, 4), z(home, 1, 2, 3, 4),
                        null, 1, false), "q", "[2, 3, 4]")
                .error("batch sizes that differ", home -> Fused.attention(z(home, 2, 2, 3, 4), z(home, 1, 2, 3, 4),
                        z(home, 1, 2, 3, 4), null, 1, false), "[2, 2, 3, 4]", "[1, 2, 3, 4]")
                .error("head dims of q and k that differ", home -> Fused.attention(z(home, 1, 2, 3, 4), z(home, 1, 2, 5, 8),
                        z(home, 1, 2, 5, 4), null, 1, false), "head dims", "[1, 2, 5, 8]")
                .error("k and v with different key counts", home -> Fused.attention(z(home, 1, 2, 3, 4), z(home, 1, 2, 5, 4),
                        z(home, 1, 2, 6, 4), null, 1, false), "keys", "[1, 2, 6, 4]")
                .error("kv heads that do not divide the heads", home -> Fused.attention(z(home, 1, 3, 3, 4),
                        z(home, 1, 2, 5, 4), z(home, 1, 2, 5, 4), null, 1, false), "2 kv heads", "3 query heads")
                .error("a mask that does not broadcast", home -> Fused.attention(z(home, 1, 2, 3, 4), z(home, 1, 2, 5, 4),
                        z(home, 1, 2, 5, 4), z(home, 3, 4), 1, false), "[3, 4]", "[1, 2, 3, 5]")
                .error("a mask that requires grad", home -> Fused.attention(z(home, 1, 2, 3, 4), z(home, 1, 2, 5, 4),
                        z(home, 1, 2, 5, 4), z(home, 3, 5).requiresGrad(true), 1, false), "requires grad", "[3, 5]")
                .error("an F64 k with F32 q", home -> Fused.attention(z(home, 1, 2, 3, 4),
                        Cases.zeros(home, DType.F64, 1, 2, 5, 4), z(home, 1, 2, 5, 4), null, 1, false), "F32", "F64")
                .error("I32 inputs", home -> Fused.attention(Cases.zeros(home, DType.I32, 1, 1, 2, 2),
                        Cases.zeros(home, DType.I32, 1, 1, 2, 2), Cases.zeros(home, DType.I32, 1, 1, 2, 2), null, 1, false),
                        "I32", "[1, 1, 2, 2]")
                .error("a non-finite scale", home -> Fused.attention(z(home, 1, 2, 3, 4), z(home, 1, 2, 5, 4),
                        z(home, 1, 2, 5, 4), null, Double.NaN, false), "scale", "NaN")
                .error("k on another device", home -> Fused.attention(z(home, 1, 2, 3, 4),
                        Cases.zeros(Cases.other(home), DType.F32, 1, 2, 5, 4), z(home, 1, 2, 5, 4), null, 1, false),
                        "cpu", "reference")
                .build();
    }

    /**
     * dq, dk, dv: each a sum over keys or over rows of the query heads in the group of products
     * that carry the score's error; both backends run their own forward first.
     */
    private static OpInfo backward() {
        CaseMaker maker = (shape, dtype, layout, seed) -> {
            Random r = new Random(seed);
            Call call = draw(shape, dtype, layout, r, true);
            long terms = shape[2] + shape[3] + call.inputs.get(1).shape()[call.headsMajor ? 2 : 1];
            int gradAt = call.masked ? 4 : 3;
            return new OpCase(Op.ATTENTION_BACKWARD, call.params, call.inputs, terms, in -> {
                Tensor q = call.qkv(in, 0);
                Tensor k = call.qkv(in, 1);
                Tensor v = call.qkv(in, 2);
                Tensor mask = call.mask(in);
                List<Tensor> forward = forwardThroughBackend(q, k, v, mask, call.scale, call.causal);
                Tensor gradOut = call.qkv(in, gradAt);
                return Arrays.asList(Fused.attentionBackward(gradOut, q, k, v, mask, forward.get(0), forward.get(1),
                        call.scale, call.causal));
            });
        };
        return OpInfo.of(Op.ATTENTION_BACKWARD).dtypes(Cases.FLOATS).minRank(4).shapes(queryShapes()).maker(maker)
                .tolerance(Tolerance.growing(32 * EPS, 32 * EPS, 8 * EPS, 8 * EPS).lowPrecisionUlps(4))
                .error("a gradOut of the wrong shape", home -> Fused.attentionBackward(z(home, 1, 2, 3, 5),
                        z(home, 1, 2, 3, 4), z(home, 1, 2, 5, 4), z(home, 1, 2, 5, 4), null, z(home, 1, 2, 3, 4),
                        z(home, 1, 2, 3), 1, false), "gradOut", "[1, 2, 3, 5]")
                .error("an lse of the wrong shape", home -> Fused.attentionBackward(z(home, 1, 2, 3, 4),
                        z(home, 1, 2, 3, 4), z(home, 1, 2, 5, 4), z(home, 1, 2, 5, 4), null, z(home, 1, 2, 3, 4),
                        z(home, 1, 2, 5), 1, false), "lse", "[1, 2, 5]")
                .error("an F64 lse for F32 inputs", home -> Fused.attentionBackward(z(home, 1, 2, 3, 4),
                        z(home, 1, 2, 3, 4), z(home, 1, 2, 5, 4), z(home, 1, 2, 5, 4), null, z(home, 1, 2, 3, 4),
                        Cases.zeros(home, DType.F64, 1, 2, 3), 1, false), "lse", "F64")
                .error("kv heads that do not divide the heads", home -> Fused.attentionBackward(z(home, 1, 3, 3, 4),
                        z(home, 1, 3, 3, 4), z(home, 1, 2, 5, 4), z(home, 1, 2, 5, 4), null, z(home, 1, 3, 3, 4),
                        z(home, 1, 3, 3), 1, false), "2 kv heads", "3 query heads")
                .build();
    }

    /** out and lse through the device's backend (the front end returns only out). */
    static List<Tensor> forwardThroughBackend(Tensor q, Tensor k, Tensor v, Tensor mask, double scale, boolean causal) {
        long[] qs = q.shape();
        Tensor out = Tensor.empty(q.dtype(), q.device(), qs[0], qs[1], qs[2], v.shape()[3]);
        Tensor lse = Tensor.empty(q.dtype() == DType.F64 ? DType.F64 : DType.F32, q.device(), qs[0], qs[1], qs[2]);
        Tensor full = mask == null ? null : mask.expand(qs[0], qs[1], qs[2], k.shape()[2]);
        q.device().backend().attention(q, k, v, full, scale, causal, out, lse);
        return List.of(out, lse);
    }

    /** q shapes: batch 1-2, heads 1-4, Nq from the block neighbourhood, head dims up to 17. */
    private static Arbitrary<long[]> queryShapes() {
        return Combinators.combine(Arbitraries.longs().between(1, 2), Arbitraries.of(1L, 2L, 4L),
                Arbitraries.of(Arrays.stream(LENGTHS).boxed().toList()),
                Arbitraries.of(Arrays.stream(HEAD_DIMS).boxed().toList()))
                .as((b, h, n, d) -> new long[] {b, h, n, d});
    }

    /** The inputs of one case for a q of {@code shape} (any rank-4 shape, edge shapes included). */
    private static Call draw(long[] shape, DType dtype, Layout layout, Random r, boolean withGradOut) {
        long b = shape[0];
        long h = shape[1];
        long nq = shape[2];
        long d = shape[3];
        long[] divisors = java.util.stream.LongStream.rangeClosed(1, Math.max(1, h)).filter(x -> h % x == 0).toArray();
        long hkv = h == 0 ? 0 : divisors[r.nextInt(divisors.length)];
        long nk = r.nextInt(4) == 0 ? nq : LENGTHS[r.nextInt(LENGTHS.length)];
        long dv = r.nextBoolean() ? d : HEAD_DIMS[r.nextInt(HEAD_DIMS.length)];
        boolean headsMajor = r.nextBoolean();
        boolean causal = r.nextBoolean();
        double scale = r.nextInt(4) == 0 ? 1 : 1 / Math.sqrt(Math.max(1, d));
        Domain values = Domain.uniform(-1, 1);
        List<Input> inputs = new ArrayList<>();
        inputs.add(Cases.input("q", layoutShape(headsMajor, b, h, nq, d), dtype, values, layout, r));
        inputs.add(Cases.input("k", layoutShape(headsMajor, b, hkv, nk, d), dtype, values, Cases.layout(r), r));
        inputs.add(Cases.input("v", layoutShape(headsMajor, b, hkv, nk, dv), dtype, values, Cases.layout(r), r));
        boolean masked = r.nextBoolean();
        long[] maskShape = masked ? Shapes.broadcastPartner(new long[] {b, h, nq, nk}, r) : null;
        if (masked) {
            Domain maskValues = r.nextBoolean() ? Domain.uniform(-2, 2).withSpecials(-INF) : Domain.uniform(-2, 2);
            inputs.add(Cases.input("mask", maskShape, dtype, maskValues, Cases.layout(r), r));
        }
        if (withGradOut) {
            inputs.add(Cases.input("gradOut", layoutShape(headsMajor, b, h, nq, dv), dtype, values, Cases.layout(r), r));
        }
        String params = "scale " + scale + ", causal " + causal + (headsMajor ? "" : ", [B, N, H, D] transposed");
        return new Call(inputs, masked, headsMajor, scale, causal, params);
    }

    /** [B, H, N, D], or [B, N, H, D] to be transposed into it. */
    private static long[] layoutShape(boolean headsMajor, long b, long h, long n, long d) {
        return headsMajor ? new long[] {b, h, n, d} : new long[] {b, n, h, d};
    }

    private static Tensor z(dev.tessera.tensor.Device home, long... shape) {
        return Cases.zeros(home, DType.F32, shape);
    }
}
