// moe.cl: the MoE dispatch. moe_plan is a stable counting sort of the A = T * K assignments by
// expert in blocks of PLAN_BLOCK (ranks within a block, per-expert prefix over blocks, expert
// starts, placement); the others gather rows (permute, unpermute and its backward). Index values
// were range-checked on the host's behalf before any of these run (check_range, indexing.cl).
// Operands: IDS the expert ids (I32 or I64); X the permuted rows; Y yp and its companions.

#define PLAN_BLOCK 256
#define DOT_GROUP 64

// A matrix view: element [r, c] sits at offset + r * row + c * col (col is 0 for a vector).
typedef struct { long offset; long row; long col; } matrix_t;

inline long at2(const matrix_t *m, long r, long c) {
    return m->offset + r * m->row + c * m->col;
}

#ifdef IDS_KIND
// One work-group per block of assignments. rank[a] = how many earlier assignments of a's block go
// to a's expert; the last of them in the block writes the block's count for that expert into
// hist[block * experts + e] (zero elsewhere). One pass over the block in local memory, no atomics.
kernel void plan_ranks(global const IDS_T *ids, const view_t vi, const shape_t s, const int experts,
        global int *rank, global int *hist) {
    local long block[PLAN_BLOCK];
    long a = get_global_id(0);
    int lid = get_local_id(0);
    long e = a < s.numel ? (long) ids[element_at(&s, &vi, a)] : -1;
    block[lid] = e;
    barrier(CLK_LOCAL_MEM_FENCE);
    if (a >= s.numel) {
        return;
    }
    int before = 0;
    int last = 1;
    for (int j = 0; j < PLAN_BLOCK; j++) {
        if (block[j] == e) {
            before += j < lid;
            last &= j <= lid;
        }
    }
    rank[a] = before;
    if (last) {
        hist[get_group_id(0) * experts + e] = before + 1;
    }
}

// Then rank[a] + hist[block, e] (after plan_scan) is a's rank among all of expert e's assignments.
kernel void plan_place(global const IDS_T *ids, const view_t vi, const shape_t s, const int experts,
        const long capacity, global const int *rank, global const int *hist, global const long *starts,
        global long *order, const long order_offset, global long *position, const long position_offset) {
    order += order_offset;
    position += position_offset;
    long kept = starts[experts];
    FOR_EACH(a, s.numel) {
        long e = ids[element_at(&s, &vi, a)];
        long r = (long) hist[(a / PLAN_BLOCK) * experts + e] + rank[a];
        long row = r < capacity ? starts[e] + r : -1;
        position[a] = row;
        if (row >= 0) {
            order[row] = a;
        }
        if (a >= kept) {
            order[a] = -1; // the rows past the kept ones
        }
    }
}
#endif

// One work item per expert: hist[., e] becomes its exclusive prefix over the blocks (coalesced
// across experts), and counts[e] the rows the expert keeps.
kernel void plan_scan(global int *hist, const long blocks, const int experts, const long capacity,
        global long *counts, const long counts_offset) {
    counts += counts_offset;
    int e = get_global_id(0);
    if (e >= experts) {
        return;
    }
    long total = 0;
    for (long b = 0; b < blocks; b++) {
        int n = hist[b * experts + e];
        hist[b * experts + e] = (int) total;
        total += n;
    }
    counts[e] = total < capacity ? total : capacity;
}

// One work item: starts[e] = counts[0] + .. + counts[e - 1], and starts[experts] = M.
kernel void plan_starts(global const long *counts, const long counts_offset, const int experts,
        global long *starts) {
    counts += counts_offset;
    long sum = 0;
    for (int e = 0; e < experts; e++) {
        starts[e] = sum;
        sum += counts[e];
    }
    starts[experts] = sum;
}

#ifdef X_KIND
// out[p, :] = x[order[p] / top_k, :]: work items along a row, one row per index of dim 1. A raw copy.
kernel void permute(global const X_T *x, const matrix_t mx, global const long *order, const matrix_t mo,
        const long top_k, global X_T *out, const long out_offset, const long width) {
    long p = get_global_id(1);
    long token = order[at2(&mo, p, 0)] / top_k;
    for (long h = get_global_id(0); h < width; h += get_global_size(0)) {
        out[out_offset + p * width + h] = x[at2(&mx, token, h)];
    }
}
#endif

#ifdef Y_KIND
// out[t, h] = sum over k ascending of weights[t, k] * yp[position[t, k], h], dropped slots skipped.
kernel void unpermute(global const Y_T *yp, const matrix_t my, global const long *position, const matrix_t mp,
        global const Y_T *weights, const matrix_t mw, const long top_k, global Y_T *out, const long out_offset,
        const long width) {
    long t = get_global_id(1);
    for (long h = get_global_id(0); h < width; h += get_global_size(0)) {
        Y_ACC sum = 0;
        for (long k = 0; k < top_k; k++) {
            long p = position[at2(&mp, t, k)];
            if (p >= 0) {
                sum = fma(LOAD(Y, weights, at2(&mw, t, k)), LOAD(Y, yp, at2(&my, p, h)), sum);
            }
        }
        STORE(Y, out, out_offset + t * width + h, sum);
    }
}

// grad_yp[p, :] = weights[t, k] * grad_out[t, :] with t, k = order[p] / top_k, order[p] % top_k.
kernel void unpermute_backward_rows(global const Y_T *grad_out, const matrix_t mg, global const long *order,
        const matrix_t mo, global const Y_T *weights, const matrix_t mw, const long top_k, global Y_T *grad_yp,
        const long out_offset, const long width) {
    long p = get_global_id(1);
    long a = order[at2(&mo, p, 0)];
    long t = a / top_k;
    Y_ACC w = LOAD(Y, weights, at2(&mw, t, a % top_k));
    for (long h = get_global_id(0); h < width; h += get_global_size(0)) {
        STORE(Y, grad_yp, out_offset + p * width + h, w * LOAD(Y, grad_out, at2(&mg, t, h)));
    }
}

// grad_weights[t, k] = sum_h grad_out[t, h] * yp[position[t, k], h] (0 where dropped): one
// work-group of DOT_GROUP items per slot, each summing a fixed stride of h, then a fixed tree.
kernel void unpermute_backward_weights(global const Y_T *grad_out, const matrix_t mg, global const Y_T *yp,
        const matrix_t my, global const long *position, const matrix_t mp, const long top_k,
        global Y_T *grad_weights, const long out_offset, const long width) {
    local Y_ACC partial[DOT_GROUP];
    long slot = get_global_id(1);
    int lid = get_local_id(0);
    long t = slot / top_k;
    long p = position[at2(&mp, t, slot % top_k)];
    Y_ACC sum = 0;
    if (p >= 0) {
        for (long h = lid; h < width; h += DOT_GROUP) {
            sum = fma(LOAD(Y, grad_out, at2(&mg, t, h)), LOAD(Y, yp, at2(&my, p, h)), sum);
        }
    }
    partial[lid] = sum;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int span = DOT_GROUP / 2; span > 0; span >>= 1) {
        if (lid < span) {
            partial[lid] += partial[lid + span];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (lid == 0) {
        STORE(Y, grad_weights, out_offset + slot, partial[0]);
    }
}
#endif
