package dev.tessera.tensor;

/**
 * The service-provider interface a device implements: one method per primitive op of the
 * {@link Op} catalog. Backends are found with {@link java.util.ServiceLoader}.
 *
 * <p>The contract that makes backends simple: {@link Tensor} has already checked every
 * argument, and every output is a freshly allocated tensor of the right shape and dtype on this
 * backend's device (contiguous unless said otherwise). Inputs may be any view: arbitrary
 * strides, offset, stride 0 for broadcast dims. Where an op broadcasts, its inputs arrive
 * already expanded to the output's shape. A backend writes its outputs and returns.
 *
 * <p>Numerics: float types compute in at least float32; integer types exactly. Results must be
 * deterministic for a given backend and thread count.
 */
public interface Backend {
    /** The device name this backend serves: {@code reference}, {@code cpu}, {@code opencl}. */
    String name();

    /**
     * New storage of {@code byteSize} bytes for a tensor on this device, zero-filled when
     * {@code zeroed}. The default is host memory from the caching allocator; a backend with memory
     * of its own (OpenCL) returns {@link Storage#onDevice} storage and overrides {@link #hostMemory}.
     */
    default Storage allocate(long byteSize, boolean zeroed) {
        return Storage.allocate(byteSize, zeroed);
    }

    /**
     * True when this backend's tensors live in host memory. {@link Tensor#to(Device)} asks the
     * backend that does not (if either) to copy between devices: its {@link #copy} then gets one
     * operand on another device.
     */
    default boolean hostMemory() {
        return true;
    }

    /**
     * Fills the contiguous {@code out} (F32, or I64 for INTEGERS) with the Philox stream of generator
     * {@code seed} from block {@code start}, exactly as {@link Generator#fill} writes it (INTEGERS in
     * [low, high)). A device backend draws on its device; for NORMAL it may differ from the host in
     * the last bit where its double log and cos are not correctly rounded. The default writes host memory.
     */
    default void fillRandom(Generator.Distribution distribution, long seed, long start, long low, long high,
            Tensor out) {
        Generator.fill(distribution, seed, start, low, high, out.storage().segment(), out.numel());
    }

    /** Sets every element of {@code out} (any layout) to {@code value}, converted to its dtype. */
    void fill(Tensor out, double value);

    /** Copies {@code x} into {@code out} (same shape, any layouts), converting the dtype as {@link DType#write} does. */
    void copy(Tensor x, Tensor out);

    /** {@code out = op(x)} for an op of group {@link Op.Group#UNARY}; same shape and dtype. */
    void unary(Op op, Tensor x, Tensor out);

    /**
     * {@code out = op(a, b)} for groups {@link Op.Group#BINARY} (out has the inputs' dtype) and
     * {@link Op.Group#COMPARISON} (out is BOOL). {@code a} and {@code b} have out's shape and the
     * same dtype; DIV and POW only ever get floating dtypes.
     */
    void binary(Op op, Tensor a, Tensor b, Tensor out);

    /** {@code out = cond ? a : b}; cond is BOOL; all three have out's shape. */
    void where(Tensor cond, Tensor a, Tensor b, Tensor out);

    /** {@code out = min(max(x, lo), hi)}; NaN stays NaN. Pass ±infinity for a missing bound. */
    void clamp(Tensor x, double lo, double hi, Tensor out);

    /**
     * Reduces {@code x} into {@code out}, whose shape is x's with every reduced dim set to 1 (the
     * keepdim shape; a dim of size 1 in x is the same reduced or not). Ops: SUM (an integer or BOOL x
     * sums into I64), MAX, MIN (NaN wins; an empty reduction is refused before it gets here),
     * LOGSUMEXP (of an empty set: -infinity).
     */
    void reduce(Op op, Tensor x, Tensor out);

    /** ARGMAX / ARGMIN along {@code dim} into I64 {@code out} of the keepdim shape; ties: the lowest index. */
    void argReduce(Op op, Tensor x, int dim, Tensor out);

    /** SOFTMAX or LOG_SOFTMAX along {@code dim}; same shape and dtype. */
    void softmax(Op op, Tensor x, int dim, Tensor out);

    /** Inclusive prefix sum along {@code dim}; same shape and dtype (integer inputs arrive as I64). */
    void cumsum(Tensor x, int dim, Tensor out);

    /**
     * {@code out[..., m, n] = sum_k a[..., m, k] * b[..., k, n]}. All three have the same rank
     * (at least 2) and the same batch sizes (a and b may use stride 0 there); a and b may be
     * transposed views. Floating dtypes only; accumulation in at least float32.
     */
    void matmul(Tensor a, Tensor b, Tensor out);

    /**
     * The {@code k} largest (or smallest) entries along {@code dim}, sorted best first, into
     * {@code values} (x's dtype) and {@code indices} (I64), both x's shape with {@code dim} set to k.
     * Ties: the lower index first. NaN counts as larger than every number.
     */
    void topk(Tensor x, int dim, int k, boolean largest, Tensor values, Tensor indices);

    /** {@code out[i][j][k] = x[i][index[i][j][k]][k]} for dim 1, and so on; out has index's shape. */
    void gather(Tensor x, int dim, Tensor index, Tensor out);

    /**
     * {@code out[i][index[i][j][k]][k] += src[i][j][k]} for dim 1, and so on, over every element of
     * {@code index} (which has src's shape). {@code out} already holds the input; accumulation
     * order is deterministic.
     */
    void scatterAdd(Tensor src, int dim, Tensor index, Tensor out);

    /** {@code out.select(dim, i) = x.select(dim, index[i])}; index is 1-D. */
    void indexSelect(Tensor x, int dim, Tensor index, Tensor out);

    /** {@code out.select(dim, index[i]) += src.select(dim, i)}; index is 1-D; {@code out} holds the input. */
    void indexAdd(Tensor src, int dim, Tensor index, Tensor out);

    /**
     * Cross-entropy of each row of {@code logits} [N, C] (floating, any strides) against the class
     * ids {@code targets} [N] (I64, any strides). Every target lies in [0, C) or equals
     * {@code ignoreIndex}: the front end has checked. Writes {@code lse[n] = log sum_c
     * exp(logits[n, c])} and {@code loss[n] = lse[n] - logits[n, targets[n]]}, or 0 where
     * {@code targets[n] == ignoreIndex} (even if ignoreIndex lies in [0, C)). Both are contiguous
     * [N], F64 for F64 logits and F32 otherwise. Numerics: max-shifted ({@code lse = m + log sum
     * exp(x - m)}, m the row max) and summed in at least float32; lse is -infinity for a row of
     * -infinity only (or C = 0), NaN for a row holding NaN or +infinity (as log_softmax).
     */
    void crossEntropy(Tensor logits, Tensor targets, long ignoreIndex, Tensor loss, Tensor lse);

    /**
     * The gradient of {@link #crossEntropy}'s loss with respect to the logits: {@code
     * gradLogits[n, c] = gradLoss[n] * (exp(logits[n, c] - lse[n]) - [c == targets[n]])}, and
     * rows of exact zeros where {@code targets[n] == ignoreIndex}. {@code logits} and
     * {@code targets} are as in crossEntropy; {@code gradLoss} and {@code lse} are [N] in the
     * loss dtype (F64 for F64 logits, F32 otherwise), any strides (gradLoss often has stride 0);
     * {@code gradLogits} is a contiguous [N, C] in the logits' dtype. Computed in at least float32.
     */
    void crossEntropyBackward(Tensor gradLoss, Tensor logits, Tensor targets, Tensor lse, long ignoreIndex,
            Tensor gradLogits);

    /**
     * RMSNorm over the last dim, one pass per row of {@code x} ({@code [..., n]}, any view, n >= 1):
     * {@code r = 1 / sqrt(mean(x^2) + eps)}, {@code out = weight * (x * r)}. {@code weight} is
     * {@code [n]} (any view) in x's dtype; {@code out} has x's shape and dtype; {@code rstd} has x's
     * shape without the last dim and gets r, in F32 (F64 for an F64 x). The mean square is taken in
     * F32 (F64 for F64), r rounded once from {@code ms + eps} with a correctly rounded square root,
     * and the same r scales the row. A row whose F32 sum of squares would overflow (|x| above about
     * 1.8e19) or lose its precision to underflow must still give r to F32 accuracy, as an exact
     * double computation would; an F64 row follows double arithmetic. An all-zero row gives
     * {@code r = 1/sqrt(eps)} and out = 0.
     */
    void rmsNorm(Tensor x, Tensor weight, double eps, Tensor out, Tensor rstd);

    /**
     * The gradient of {@link #rmsNorm}, one fused pass over the rows: with {@code g = gradOut * weight}
     * and {@code xhat = x * r} (r from {@code rstd}, as the forward saved it),
     * {@code gradX = r * (g - xhat * mean(g * xhat))} and {@code gradWeight = sum over rows of
     * gradOut * xhat}. {@code gradOut} and {@code x} are any views of x's shape and dtype,
     * {@code weight} {@code [n]} of that dtype, {@code rstd} of x's shape without the last dim
     * (F32, F64 for F64 x). {@code gradX} has x's shape and dtype, {@code gradWeight} weight's. Sums
     * in F32 (F64 for F64); gradWeight is reduced deterministically (fixed per-chunk partials added
     * in a fixed order, no atomics); with no rows it is zero.
     */
    void rmsNormBackward(Tensor gradOut, Tensor x, Tensor weight, Tensor rstd, Tensor gradX, Tensor gradWeight);

    /**
     * Attention, never materialising the {@code Nq x Nk} score matrix: for each batch b, query head
     * h and query row r, with kv head {@code g = h / (H / Hkv)},
     * <pre>
     * s[c]    = scale * sum_d q[b,h,r,d] k[b,g,c,d] + mask[b,h,r,c]     (c = 0 .. Nk-1)
     * s[c]    = -infinity where causal and c > r + Nk - Nq            (bottom-right alignment)
     * lse     = log sum_c exp(s[c])
     * out[.., r, e] = sum_c exp(s[c] - lse) v[b,g,c,e]
     * </pre>
     * Shapes: q {@code [B, H, Nq, D]}, k {@code [B, Hkv, Nk, D]}, v {@code [B, Hkv, Nk, Dv]} with Hkv
     * dividing H; {@code mask} null or {@code [B, H, Nq, Nk]} (stride 0 where it was broadcast),
     * -infinity entries masking; all of one floating dtype, any strides. Outputs: {@code out}
     * {@code [B, H, Nq, Dv]} in q's dtype and {@code lse} {@code [B, H, Nq]}, F64 for F64 inputs and
     * F32 otherwise. A row with no visible key (every s[c] = -infinity) gets out = 0 and
     * lse = +infinity. Numerics: scores, softmax and sums in at least F32 (F64 for F64 inputs).
     */
    void attention(Tensor q, Tensor k, Tensor v, Tensor mask, double scale, boolean causal, Tensor out, Tensor lse);

    /**
     * The gradient of {@link #attention} with respect to q, k and v, given {@code gradOut} (out's
     * shape and dtype) and the forward's {@code out} and {@code lse}, from which the probabilities
     * {@code p[c] = exp(s[c] - lse)} are rebuilt (zero in a row whose lse is +infinity). With
     * {@code D[r] = sum_e gradOut[r,e] out[r,e]} and {@code ds[r,c] = p[r,c] (sum_e gradOut[r,e] v[c,e] - D[r])}:
     * gradQ = scale ds k, gradK = scale ds^T q and gradV = p^T gradOut, where gradK and gradV sum
     * over the H / Hkv query heads that share a kv head. The other arguments are as in
     * {@link #attention}; every input may be a strided view. Outputs have the shapes and dtype of
     * q, k and v, contiguous. Sums in at least F32 and in a fixed order (no atomics): the same
     * inputs and thread count give the same bits.
     */
    void attentionBackward(Tensor gradOut, Tensor q, Tensor k, Tensor v, Tensor mask, Tensor out, Tensor lse,
            double scale, boolean causal, Tensor gradQ, Tensor gradK, Tensor gradV);

    /**
     * The MoE dispatch plan: a stable counting sort by expert of the {@code T * K} assignments
     * {@code a = t * K + k} of {@code expertIds} {@code [T, K]} (I64 or I32, any strides), keeping
     * at most {@code capacity} assignments per expert, the earliest in a. Every id must lie in
     * {@code [0, E)}, E being counts' size; the backend checks and throws an
     * IllegalArgumentException naming {@code moe_plan}, the id and E before it writes anything.
     * Outputs, all I64 and contiguous: {@code counts [E]}, the rows each expert keeps ({@code
     * min(assignments to e, capacity)}); {@code order [T * K]}, whose first {@code M = sum(counts)}
     * entries are the kept assignments grouped by ascending expert, ascending a within an expert,
     * and whose other entries are -1; {@code position [T, K]}, the index in order of each
     * assignment, -1 where it was dropped. Exact and deterministic.
     */
    void moePlan(Tensor expertIds, long capacity, Tensor counts, Tensor order, Tensor position);

    /**
     * The gather into expert order: {@code out[p, :] = x[order[p] / topK, :]} for every row p of
     * {@code out} {@code [M, H]} (contiguous, x's dtype), with {@code x} {@code [T, H]} and
     * {@code order} {@code [M]} (I64) any views. Entries of order outside {@code [0, T * topK)}
     * are refused with an IllegalArgumentException naming {@code moe_permute}. A copy: exact.
     */
    void moePermute(Tensor x, Tensor order, int topK, Tensor out);

    /**
     * The weighted gather back to tokens: {@code out[t, :] = sum_k weights[t, k] * yp[position[t, k], :]}
     * over the slots k (ascending) whose position is not -1; a token with every slot dropped gets
     * zeros. {@code yp} {@code [M, H]}, {@code position} {@code [T, K]} (I64, entries in
     * {@code [-1, M)}, others refused naming {@code moe_unpermute}) and {@code weights}
     * {@code [T, K]} (yp's dtype) are any views; {@code out} is a contiguous {@code [T, H]} in yp's
     * dtype. Sums in at least F32 (F64 for F64), in ascending k per token: no atomics.
     */
    void moeUnpermute(Tensor yp, Tensor position, Tensor weights, Tensor out);

    /**
     * The gradient of {@link #moeUnpermute}: with {@code a = order[p]}, {@code t = a / K},
     * {@code k = a % K} (K is position's second dim), {@code gradYp[p, :] = weights[t, k] *
     * gradOut[t, :]} for every row p of gradYp {@code [M, H]}; and {@code gradWeights[t, k] =
     * sum_h gradOut[t, h] * yp[position[t, k], h]}, 0 where position is -1. {@code gradOut}
     * {@code [T, H]}, {@code yp}, {@code order} {@code [M]}, {@code position}, {@code weights} as in
     * the forward, any views; both outputs contiguous in yp's dtype. Dot products in at least F32
     * (F64 for F64), each in a fixed order.
     */
    void moeUnpermuteBackward(Tensor gradOut, Tensor yp, Tensor order, Tensor position, Tensor weights,
            Tensor gradYp, Tensor gradWeights);

    /**
     * One matrix product per expert over its rows: with {@code off_e = counts[0] + .. + counts[e - 1]},
     * rows {@code [off_e, off_e + counts[e])} of {@code out} are those rows of {@code x} times
     * {@code weights[e]}. {@code x} {@code [M, In]} and every weight {@code [In, Out]} (the forward
     * passes its [Out, In] weights as transposed views) are floating views of out's dtype;
     * {@code counts} {@code [E]} I64, non-negative, summing to M, with {@code E = weights.length};
     * {@code out} a contiguous {@code [M, Out]}. Numerics as {@link #matmul}; an expert with no rows
     * costs nothing.
     */
    void groupedMatmul(Tensor x, Tensor counts, Tensor[] weights, Tensor out);

    /**
     * The weight gradient of a grouped matmul: {@code gradWeights[e] = gradOut_e^T x_e}, where
     * {@code gradOut_e} and {@code x_e} are expert e's rows (as in {@link #groupedMatmul}) of
     * {@code gradOut} {@code [M, Out]} and {@code x} {@code [M, In]} (any views, one floating
     * dtype). Each {@code gradWeights[e]} is a contiguous {@code [Out, In]} of that dtype; an
     * expert with no rows gets exact zeros. Numerics as {@link #matmul}, summing over the rows.
     */
    void groupedMatmulWeightGrad(Tensor gradOut, Tensor x, Tensor counts, Tensor[] gradWeights);
}
