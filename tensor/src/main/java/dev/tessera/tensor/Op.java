package dev.tessera.tensor;

/**
 * The op catalog: every op Tensor offers, defined once, in named groups.
 *
 * <p>A {@linkplain Kind#PRIMITIVE primitive} is a method of {@link Backend}; every backend
 * implements it and the property suite compares each backend with the reference on it. A
 * {@linkplain Kind#COMPOSITE composite} is built in {@code tensor} from primitives (so a new
 * backend gets it for free), and a {@linkplain Kind#VIEW view} only changes shape, strides and
 * offset. The test suite holds one sample generator per entry and fails when one is missing.
 */
public enum Op {
    // Elementwise unary: out[i] = f(x[i]).
    NEG(Group.UNARY), ABS(Group.UNARY), EXP(Group.UNARY), LOG(Group.UNARY), SQRT(Group.UNARY),
    RSQRT(Group.UNARY), SIN(Group.UNARY), COS(Group.UNARY), TANH(Group.UNARY), SIGMOID(Group.UNARY),
    RELU(Group.UNARY), SILU(Group.UNARY), GELU_TANH(Group.UNARY), GELU_ERF(Group.UNARY),
    RECIPROCAL(Group.UNARY), SQUARE(Group.UNARY),

    // Elementwise binary with NumPy broadcasting: out[i] = f(a[i], b[i]).
    ADD(Group.BINARY), SUB(Group.BINARY), MUL(Group.BINARY), DIV(Group.BINARY), POW(Group.BINARY),
    MAXIMUM(Group.BINARY), MINIMUM(Group.BINARY),
    EQ(Group.COMPARISON), NE(Group.COMPARISON), LT(Group.COMPARISON), LE(Group.COMPARISON),
    GT(Group.COMPARISON), GE(Group.COMPARISON),

    // Other elementwise ops.
    WHERE(Group.TERNARY), CLAMP(Group.TERNARY), MASKED_FILL(Group.TERNARY, Kind.COMPOSITE),
    CAST(Group.COPY), CONTIGUOUS(Group.COPY, Kind.COMPOSITE),

    // Reductions over any set of dims, with keepdim.
    SUM(Group.REDUCE), MAX(Group.REDUCE), MIN(Group.REDUCE), LOGSUMEXP(Group.REDUCE),
    MEAN(Group.REDUCE, Kind.COMPOSITE), VAR(Group.REDUCE, Kind.COMPOSITE),
    ARGMAX(Group.ARG_REDUCE), ARGMIN(Group.ARG_REDUCE),

    // Ops along one dim.
    SOFTMAX(Group.ALONG_DIM), LOG_SOFTMAX(Group.ALONG_DIM), CUMSUM(Group.ALONG_DIM),
    TOPK(Group.ALONG_DIM), SORT(Group.ALONG_DIM, Kind.COMPOSITE), ARGSORT(Group.ALONG_DIM, Kind.COMPOSITE),

    // Matrix product with batch broadcasting.
    MATMUL(Group.MATMUL),

    // Indexing.
    GATHER(Group.INDEX), SCATTER_ADD(Group.INDEX), INDEX_SELECT(Group.INDEX), INDEX_ADD(Group.INDEX),
    ONE_HOT(Group.INDEX, Kind.COMPOSITE), EMBEDDING(Group.INDEX, Kind.COMPOSITE),

    // Joining and splitting.
    CAT(Group.JOIN, Kind.COMPOSITE), STACK(Group.JOIN, Kind.COMPOSITE),
    SPLIT(Group.JOIN, Kind.VIEW), CHUNK(Group.JOIN, Kind.VIEW),

    // Fused loss: cross-entropy of logits [N, C] against class ids, and its gradient kernel.
    CROSS_ENTROPY(Group.LOSS), CROSS_ENTROPY_BACKWARD(Group.LOSS),

    // Fused RMSNorm over the last dim, and the kernel of its gradient.
    RMS_NORM(Group.NORM), RMS_NORM_BACKWARD(Group.NORM),

    // Attention: flash-style blocked softmax(scale q k^T + mask) v, and its gradient kernel.
    ATTENTION(Group.ATTENTION), ATTENTION_BACKWARD(Group.ATTENTION),

    // MoE dispatch: a stable counting sort of the (token, slot) assignments by expert, the gather
    // into expert order, one GEMM per expert's rows, and the weighted gather back to tokens.
    // moe_plan returns integers only (no gradient). The backward of moe_permute is moe_unpermute
    // with weights 1; moe_unpermute's is moe_unpermute_backward (the weighted permute of the
    // output gradient and the per-assignment dot products); grouped_matmul's is grouped_matmul with
    // the weights untransposed for its input and grouped_matmul_weight_grad (dY_e^T X_e) for the weights.
    MOE_PLAN(Group.MOE), MOE_PERMUTE(Group.MOE), MOE_UNPERMUTE(Group.MOE), MOE_UNPERMUTE_BACKWARD(Group.MOE),
    GROUPED_MATMUL(Group.MOE), GROUPED_MATMUL_WEIGHT_GRAD(Group.MOE),

    // Views: no data moves.
    RESHAPE(Group.MOVEMENT, Kind.VIEW), PERMUTE(Group.MOVEMENT, Kind.VIEW), TRANSPOSE(Group.MOVEMENT, Kind.VIEW),
    SLICE(Group.MOVEMENT, Kind.VIEW), SELECT(Group.MOVEMENT, Kind.VIEW), EXPAND(Group.MOVEMENT, Kind.VIEW),
    SQUEEZE(Group.MOVEMENT, Kind.VIEW), UNSQUEEZE(Group.MOVEMENT, Kind.VIEW);

    /** Families of ops that share a backend method and a sample generator shape. */
    public enum Group { UNARY, BINARY, COMPARISON, TERNARY, COPY, REDUCE, ARG_REDUCE, ALONG_DIM, MATMUL, INDEX, JOIN, MOVEMENT, LOSS, NORM, ATTENTION, MOE }

    /** How an op is carried out. */
    public enum Kind { PRIMITIVE, COMPOSITE, VIEW }

    private final Group group;
    private final Kind kind;
    private final String opName;

    Op(Group group) {
        this(group, Kind.PRIMITIVE);
    }

    Op(Group group, Kind kind) {
        this.group = group;
        this.kind = kind;
        this.opName = name().toLowerCase(java.util.Locale.ROOT);
    }

    public Group group() {
        return group;
    }

    public Kind kind() {
        return kind;
    }

    /** The name used in error messages, as PyTorch spells it: {@code log_softmax}, {@code index_add}. */
    public String opName() {
        return opName;
    }
}
