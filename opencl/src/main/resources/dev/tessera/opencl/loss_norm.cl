// loss_norm.cl: fused cross-entropy and RMSNorm, forward and backward.
// Operand X (ClTypes.operand("X", dtype)) types the logits, or RMSNorm's x, weight, gradOut and
// outputs. The per-row statistics (loss, lse, gradLoss, rstd) and the weight-gradient partials are
// X_ACC: float for F32, BF16 and F16, double for F64. NARROW is 1 when X_ACC is float.
//
// A work-group owns a row (RMSNorm's backward: a fixed chunk of rows): its work items stride
// through the row, so neighbouring items read neighbouring elements, and combine their partials
// in a local-memory tree. The local size is a power of two fixed by the row length, and the tree
// adds in a fixed order, so the same row gives the same bits on every run.

#if NARROW
#define ACC_MAX jmaxf
#else
#define ACC_MAX jmax
#endif
#define ADD(a, b) ((a) + (b))

// NAME(scratch, v): COMBINE over every work item's v through a tree in scratch (one slot per
// item); every item gets the result. Every item of the group must call it (it has barriers).
#define TREE_REDUCE(NAME, T, COMBINE)                                       \
    inline T NAME(local T *scratch, T v) {                                  \
        const int lid = get_local_id(0);                                    \
        scratch[lid] = v;                                                   \
        barrier(CLK_LOCAL_MEM_FENCE);                                       \
        for (int width = get_local_size(0) / 2; width > 0; width /= 2) {    \
            if (lid < width) {                                              \
                scratch[lid] = COMBINE(scratch[lid], scratch[lid + width]); \
            }                                                               \
            barrier(CLK_LOCAL_MEM_FENCE);                                   \
        }                                                                   \
        const T total = scratch[0];                                         \
        barrier(CLK_LOCAL_MEM_FENCE); /* scratch is free again */          \
        return total;                                                       \
    }

TREE_REDUCE(tree_sum, X_ACC, ADD)
TREE_REDUCE(tree_max, X_ACC, ACC_MAX)
TREE_REDUCE(tree_sum_double, double, ADD)

// ---------------------------------------------------------------- cross-entropy

// Row n of logits [N, C] (one group per row): lse = m + log(sum exp(x - m)) with m the row max (NaN
// wins, so a NaN row gives NaN, and a +infinity max gives exp(inf - inf) = NaN), -infinity when m is;
// loss = lse - x[target], or 0 for an ignored target. Max and sum in X_ACC, the rest in double.
kernel void cross_entropy(global const X_T *x, const long x_offset, const long row_stride, const long class_stride,
        const long classes, global const long *targets, const long t_offset, const long t_stride,
        const long ignore_index, global X_ACC *loss, const long loss_offset, global X_ACC *lse,
        const long lse_offset, local X_ACC *scratch) {
    const long row = get_group_id(0);
    const long lid = get_local_id(0);
    const long step = get_local_size(0);
    const long at = x_offset + row * row_stride;
    X_ACC m = -INFINITY;
    for (long c = lid; c < classes; c += step) {
        m = ACC_MAX(m, LOAD(X, x, at + c * class_stride));
    }
    m = tree_max(scratch, m);
    double log_sum = -INFINITY;
    if (m != -INFINITY) { // the same for the whole group, so its barriers are reached by all
        X_ACC sum = 0;
        for (long c = lid; c < classes; c += step) {
            sum += exp(LOAD(X, x, at + c * class_stride) - m);
        }
        log_sum = (double) m + log((double) tree_sum(scratch, sum));
    }
    if (lid == 0) {
        const long target = targets[t_offset + row * t_stride];
        lse[lse_offset + row] = (X_ACC) log_sum;
        loss[loss_offset + row] = target == ignore_index
                ? 0 : (X_ACC) (log_sum - (double) LOAD(X, x, at + target * class_stride));
    }
}

// Row n of gradLogits (contiguous [N, C]): g (exp(x - lse) - [c == target]), zeros for an ignored row.
kernel void cross_entropy_backward(global const X_ACC *grad_loss, const long g_offset, const long g_stride,
        global const X_T *x, const long x_offset, const long row_stride, const long class_stride, const long classes,
        global const long *targets, const long t_offset, const long t_stride, global const X_ACC *lse,
        const long lse_offset, const long lse_stride, const long ignore_index, global X_T *out,
        const long out_offset) {
    const long row = get_group_id(0);
    const long step = get_local_size(0);
    const long target = targets[t_offset + row * t_stride];
    const long o = out_offset + row * classes;
    if (target == ignore_index) {
        for (long c = get_local_id(0); c < classes; c += step) {
            STORE(X, out, o + c, 0);
        }
        return;
    }
    const X_ACC g = grad_loss[g_offset + row * g_stride];
    const X_ACC shift = lse[lse_offset + row * lse_stride];
    const long at = x_offset + row * row_stride;
    for (long c = get_local_id(0); c < classes; c += step) {
        const X_ACC p = exp(LOAD(X, x, at + c * class_stride) - shift);
        STORE(X, out, o + c, (c == target ? p - 1 : p) * g);
    }
}

// ---------------------------------------------------------------- RMSNorm

// Rows of x are the elements of the leading dims (`rows`, x's view vx of them); x_step is the
// stride of the last dim, of n elements. out and gradX are contiguous.

// The sum of squares of one row in double: the range of double holds the square of every float.
inline double row_squares_in_double(global const X_T *x, const long at, const long x_step, const long n,
        local double *wide) {
    double sum = 0;
    for (long i = get_local_id(0); i < n; i += get_local_size(0)) {
        const double v = LOAD(X, x, at + i * x_step);
        sum += v * v; // exact for a float v
    }
    return tree_sum_double(wide, sum);
}

// r = 1 / sqrt(mean(x^2) + eps), out = w (x r), one group per row. In float, a sum of squares that
// overflowed (|x| above about 1.8e19), fell below 2^-100 (where subnormal or flushed squares may have
// lost its digits), or is NaN is summed again in double, so r is as exact as the reference's. r is
// rounded once from the double ms + eps: double sqrt and division are correctly rounded in OpenCL.
kernel void rms_norm(global const X_T *x, const view_t vx, const shape_t rows, const long x_step,
        global const X_T *w, const long w_offset, const long w_step, const long n, const double eps,
        global X_T *out, const long out_offset, global X_ACC *rstd, const long rstd_offset,
        local X_ACC *scratch, local double *wide) {
    const long row = get_group_id(0);
    const long lid = get_local_id(0);
    const long step = get_local_size(0);
    const long at = element_at(&rows, &vx, row);
    X_ACC partial = 0;
    for (long i = lid; i < n; i += step) {
        const X_ACC v = LOAD(X, x, at + i * x_step);
        partial = fma(v, v, partial);
    }
    const X_ACC squares = tree_sum(scratch, partial);
    double sum = squares;
#if NARROW
    if (!(squares >= 0x1p-100f && squares < INFINITY)) { // the same for the whole group
        sum = row_squares_in_double(x, at, x_step, n, wide);
    }
#endif
    const X_ACC r = (X_ACC) (1 / sqrt(sum / n + eps));
    const long o = out_offset + row * n;
    for (long i = lid; i < n; i += step) {
        STORE(X, out, o + i, LOAD(X, w, w_offset + i * w_step) * (LOAD(X, x, at + i * x_step) * r));
    }
    if (lid == 0) {
        rstd[rstd_offset + row] = r;
    }
}

// gradX = r (g - xhat mean(g xhat)) with g = dy w, xhat = x r, for the rows [group * rows_per_group,
// + rows_per_group): each group walks its chunk in row order, and each work item adds dy xhat of
// its columns into the group's own row of partials, so no two items ever write one partial.
kernel void rms_norm_backward(global const X_T *dy, const view_t vdy, const long dy_step,
        global const X_T *x, const view_t vx, const long x_step, global const X_ACC *rstd, const view_t vr,
        const shape_t rows, global const X_T *w, const long w_offset, const long w_step, const long n,
        const long rows_per_group, global X_T *dx, const long dx_offset, global X_ACC *partials,
        local X_ACC *scratch) {
    const long lid = get_local_id(0);
    const long step = get_local_size(0);
    global X_ACC *acc = partials + get_group_id(0) * n;
    for (long i = lid; i < n; i += step) {
        acc[i] = 0;
    }
    const long first = get_group_id(0) * rows_per_group;
    const long end = min(first + rows_per_group, rows.numel);
    for (long row = first; row < end; row++) {
        const long xa = element_at(&rows, &vx, row);
        const long da = element_at(&rows, &vdy, row);
        const X_ACC r = rstd[element_at(&rows, &vr, row)];
        X_ACC dot = 0;
        for (long i = lid; i < n; i += step) {
            const X_ACC g = LOAD(X, dy, da + i * dy_step) * LOAD(X, w, w_offset + i * w_step);
            dot += g * (LOAD(X, x, xa + i * x_step) * r);
        }
        const X_ACC neg_mean = -(tree_sum(scratch, dot) / n);
        const long o = dx_offset + row * n;
        for (long i = lid; i < n; i += step) {
            const X_ACC gy = LOAD(X, dy, da + i * dy_step);
            const X_ACC xhat = LOAD(X, x, xa + i * x_step) * r;
            acc[i] += gy * xhat;
            STORE(X, dx, o + i, fma(xhat, neg_mean, gy * LOAD(X, w, w_offset + i * w_step)) * r);
        }
    }
}

// gradWeight[j] = the groups' partials of column j added in group order, in double.
kernel void rms_norm_weight_grad(global const X_ACC *partials, const long groups, const long n, global X_T *gw,
        const long gw_offset) {
    FOR_EACH(j, n) {
        double sum = 0;
        for (long g = 0; g < groups; g++) {
            sum += partials[g * n + j];
        }
        CONVERT(X, gw, gw_offset + j, sum);
    }
}
