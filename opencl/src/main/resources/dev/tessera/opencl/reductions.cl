// reductions.cl: sum, max, min and logsumexp over any set of dims; argmax and argmin, softmax and
// log_softmax, cumsum and topk along one dim. Operand X is the input (X_ACC: float, double or long);
// OUT is a reduction's output. Every sum runs in an order fixed by the shapes alone (a strided
// share per work-item, then a tree in local memory), so a run repeats its bits.
//
// Index maps: a reduction views x as [outputs] x [reduced elements]. ks/kv map an output to where
// its elements start (kv holds x's offset); rs/rv map a reduced element to its step from there (rv's
// offset is 0). The ops along one dim view x as lines: ls/lv map a line to its first element (one
// view per operand) and each operand steps through a line by its own stride.

#define R_SUM 0
#define R_MAX 1
#define R_MIN 2
#define R_SUMEXP 3 // sum of exp(x - shift[o]): logsumexp's second pass, shift being the max

#ifdef X_KIND

// ---------------------------------------------------------------- combining values

#if X_FLOAT
// Java's Math.max / Math.min (common.cl): exact in double for a float, as the result is an input.
inline X_ACC acc_max(X_ACC a, X_ACC b) { return jmax(a, b); }
inline X_ACC acc_min(X_ACC a, X_ACC b) { return jmin(a, b); }
inline X_ACC identity(int op) {
    return op == R_MAX ? (X_ACC) -INFINITY : op == R_MIN ? (X_ACC) INFINITY : (X_ACC) 0;
}
inline X_ACC term(int op, X_ACC v, X_ACC shift) {
    return op == R_SUMEXP ? exp(v - shift) : v;
}
#else
inline long acc_max(long a, long b) { return a > b ? a : b; }
inline long acc_min(long a, long b) { return a < b ? a : b; }
inline long identity(int op) {
    return op == R_MAX ? LONG_MIN : op == R_MIN ? LONG_MAX : 0;
}
inline long term(int op, long v, long shift) { return v; }
#endif

inline X_ACC combine(int op, X_ACC a, X_ACC b) {
    switch (op) {
        case R_MAX: return acc_max(a, b);
        case R_MIN: return acc_min(a, b);
        default: return a + b; // R_SUM, R_SUMEXP
    }
}

// Combines every item's value into one, the same for all items of the group. The tree halves a
// power-of-two group; every item must call it (it holds barriers).
inline X_ACC group_combine(int op, X_ACC value, local X_ACC *scratch) {
    const int lid = get_local_id(0);
    scratch[lid] = value;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int gap = get_local_size(0) / 2; gap > 0; gap >>= 1) {
        if (lid < gap) {
            scratch[lid] = combine(op, scratch[lid], scratch[lid + gap]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    X_ACC total = scratch[0];
    barrier(CLK_LOCAL_MEM_FENCE); // scratch is free again once every item has read the total
    return total;
}

// ---------------------------------------------------------------- reduce

inline X_ACC shift_of(int op, global const X_T *shift, long o) {
#if X_FLOAT
    if (op == R_SUMEXP) {
        return LOAD(X, shift, o);
    }
#endif
    return 0;
}

// One work-group per task (output o, chunk c of its elements): the items take every G-th element of
// the chunk, then the tree combines them. partial[o * chunks + c] gets the chunk's result.
kernel void reduce_groups(global const X_T *x, const shape_t ks, const view_t kv, const shape_t rs, const view_t rv,
        const long count, const long chunk_len, const int chunks, const int op, global const X_T *shift,
        global X_ACC *partial, local X_ACC *scratch) {
    const long tasks = ks.numel * chunks;
    for (long task = get_group_id(0); task < tasks; task += get_num_groups(0)) {
        long o = task / chunks;
        long start = (task % chunks) * chunk_len;
        long end = min(count, start + chunk_len);
        long base = element_at(&ks, &kv, o);
        X_ACC s = shift_of(op, shift, o);
        X_ACC acc = identity(op);
        for (long j = start + get_local_id(0); j < end; j += get_local_size(0)) {
            acc = combine(op, acc, term(op, LOAD(X, x, base + element_at(&rs, &rv, j)), s));
        }
        acc = group_combine(op, acc, scratch);
        if (get_local_id(0) == 0) {
            partial[task] = acc;
        }
    }
}

// One work-item per output, its elements in order: for few elements per output, or when
// neighbouring outputs are neighbours in memory (the loads of a group then coalesce).
kernel void reduce_items(global const X_T *x, const shape_t ks, const view_t kv, const shape_t rs, const view_t rv,
        const long count, const int op, global const X_T *shift, global X_ACC *partial) {
    FOR_EACH(o, ks.numel) {
        long base = element_at(&ks, &kv, o);
        X_ACC s = shift_of(op, shift, o);
        X_ACC acc = identity(op);
        for (long j = 0; j < count; j++) {
            acc = combine(op, acc, term(op, LOAD(X, x, base + element_at(&rs, &rv, j)), s));
        }
        partial[o] = acc;
    }
}

#ifdef OUT_KIND
// Combines each output's chunks in order and writes it; logsumexp's sum becomes max + log(sum),
// where a max of +-infinity or NaN is the answer itself.
kernel void reduce_finish(global const X_ACC *partial, const int chunks, const int op, global const X_T *shift,
        global OUT_T *out, const shape_t os, const view_t ov) {
    FOR_EACH(o, os.numel) {
        X_ACC acc = partial[o * chunks];
        for (int c = 1; c < chunks; c++) {
            acc = combine(op, acc, partial[o * chunks + c]);
        }
#if X_FLOAT
        if (op == R_SUMEXP) {
            X_ACC m = shift_of(op, shift, o);
            acc = isinf(m) || isnan(m) ? m : m + log(acc);
        }
        CONVERT(OUT, out, element_at(&os, &ov, o), (double) acc);
#else
        CONVERTL(OUT, out, element_at(&os, &ov, o), acc);
#endif
    }
}
#endif

// ---------------------------------------------------------------- argmax, argmin

// Whether (v at index i) beats (b at index bi): a NaN beats every number, the lower index wins a tie
// (two NaNs tie), and an index below 0 marks an empty slot that beats nothing.
inline bool arg_beats(int is_max, X_ACC v, long i, X_ACC b, long bi) {
    if (i < 0) return false;
    if (bi < 0) return true;
#if X_FLOAT
    if (isnan(v) || isnan(b)) {
        return isnan(v) && isnan(b) ? i < bi : isnan(v);
    }
#endif
    if (v == b) return i < bi;
    return is_max ? v > b : v < b;
}

kernel void arg_items(global const X_T *x, const shape_t ls, const view_t lv, const view_t ov, const long length,
        const long stride, const int is_max, global long *out) {
    FOR_EACH(line, ls.numel) {
        long base = element_at(&ls, &lv, line);
        X_ACC best = LOAD(X, x, base);
        long at = 0;
        for (long j = 1; j < length; j++) {
            X_ACC v = LOAD(X, x, base + j * stride);
            if (arg_beats(is_max, v, j, best, at)) {
                best = v;
                at = j;
            }
        }
        out[element_at(&ls, &ov, line)] = at;
    }
}

// One work-group per line: each item keeps the best of every G-th element, then a tree.
kernel void arg_groups(global const X_T *x, const shape_t ls, const view_t lv, const view_t ov, const long length,
        const long stride, const int is_max, global long *out, local X_ACC *values, local long *indices) {
    const int lid = get_local_id(0);
    for (long line = get_group_id(0); line < ls.numel; line += get_num_groups(0)) {
        long base = element_at(&ls, &lv, line);
        X_ACC best = 0;
        long at = -1;
        for (long j = lid; j < length; j += get_local_size(0)) {
            X_ACC v = LOAD(X, x, base + j * stride);
            if (arg_beats(is_max, v, j, best, at)) {
                best = v;
                at = j;
            }
        }
        values[lid] = best;
        indices[lid] = at;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int gap = get_local_size(0) / 2; gap > 0; gap >>= 1) {
            if (lid < gap && arg_beats(is_max, values[lid + gap], indices[lid + gap], values[lid], indices[lid])) {
                values[lid] = values[lid + gap];
                indices[lid] = indices[lid + gap];
            }
            barrier(CLK_LOCAL_MEM_FENCE);
        }
        if (lid == 0) {
            out[element_at(&ls, &ov, line)] = indices[0];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

// ---------------------------------------------------------------- softmax, log_softmax

#if X_FLOAT
// exp(x - max) / sum, or x - max - log(sum). A row whose max is -inf, +inf or NaN comes out NaN,
// as in the reference: x - max is then NaN somewhere and the sum carries it.
inline X_ACC softmax_of(int log_softmax, X_ACC v, X_ACC max, X_ACC sum) {
    return log_softmax ? (v - max) - log(sum) : exp(v - max) / sum;
}

kernel void softmax_items(global const X_T *x, const shape_t ls, const view_t lv, const long stride,
        global X_T *out, const view_t ov, const long out_stride, const long length, const int log_softmax) {
    FOR_EACH(line, ls.numel) {
        long base = element_at(&ls, &lv, line);
        X_ACC max = -INFINITY;
        for (long j = 0; j < length; j++) {
            max = acc_max(max, LOAD(X, x, base + j * stride));
        }
        X_ACC sum = 0;
        for (long j = 0; j < length; j++) {
            sum += exp(LOAD(X, x, base + j * stride) - max);
        }
        long to = element_at(&ls, &ov, line);
        for (long j = 0; j < length; j++) {
            STORE(X, out, to + j * out_stride, softmax_of(log_softmax, LOAD(X, x, base + j * stride), max, sum));
        }
    }
}

kernel void softmax_groups(global const X_T *x, const shape_t ls, const view_t lv, const long stride,
        global X_T *out, const view_t ov, const long out_stride, const long length, const int log_softmax,
        local X_ACC *scratch) {
    const int lid = get_local_id(0);
    const int g = get_local_size(0);
    for (long line = get_group_id(0); line < ls.numel; line += get_num_groups(0)) {
        long base = element_at(&ls, &lv, line);
        X_ACC max = -INFINITY;
        for (long j = lid; j < length; j += g) {
            max = acc_max(max, LOAD(X, x, base + j * stride));
        }
        max = group_combine(R_MAX, max, scratch);
        X_ACC sum = 0;
        for (long j = lid; j < length; j += g) {
            sum += exp(LOAD(X, x, base + j * stride) - max);
        }
        sum = group_combine(R_SUM, sum, scratch);
        long to = element_at(&ls, &ov, line);
        for (long j = lid; j < length; j += g) {
            STORE(X, out, to + j * out_stride, softmax_of(log_softmax, LOAD(X, x, base + j * stride), max, sum));
        }
    }
}
#endif

// ---------------------------------------------------------------- cumsum

kernel void cumsum_items(global const X_T *x, const shape_t ls, const view_t lv, const long stride,
        global X_T *out, const view_t ov, const long out_stride, const long length) {
    FOR_EACH(line, ls.numel) {
        long base = element_at(&ls, &lv, line);
        long to = element_at(&ls, &ov, line);
        X_ACC acc = 0;
        for (long j = 0; j < length; j++) {
            acc += LOAD(X, x, base + j * stride);
            STORE(X, out, to + j * out_stride, acc);
        }
    }
}

// One work-group per line: item t owns the t-th of G equal segments. It sums its segment, the
// segment sums are scanned in local memory (in order, by item 0: G additions), then each item
// rescans its segment from its offset.
kernel void cumsum_groups(global const X_T *x, const shape_t ls, const view_t lv, const long stride,
        global X_T *out, const view_t ov, const long out_stride, const long length, local X_ACC *offsets) {
    const int lid = get_local_id(0);
    const int g = get_local_size(0);
    const long segment = (length + g - 1) / g;
    const long start = min(length, lid * segment);
    const long end = min(length, start + segment);
    for (long line = get_group_id(0); line < ls.numel; line += get_num_groups(0)) {
        long base = element_at(&ls, &lv, line);
        long to = element_at(&ls, &ov, line);
        X_ACC own = 0;
        for (long j = start; j < end; j++) {
            own += LOAD(X, x, base + j * stride);
        }
        offsets[lid] = own;
        barrier(CLK_LOCAL_MEM_FENCE);
        if (lid == 0) {
            X_ACC running = 0;
            for (int t = 0; t < g; t++) {
                X_ACC s = offsets[t];
                offsets[t] = running;
                running += s;
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        X_ACC acc = offsets[lid];
        for (long j = start; j < end; j++) {
            acc += LOAD(X, x, base + j * stride);
            STORE(X, out, to + j * out_stride, acc);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

// ---------------------------------------------------------------- topk (bitonic sort per line)

// Whether (a at index ia) ranks before (b at index ib): the larger (or smaller) value first, NaN
// above every number, the lower index first among equals; slots past the line (index >= n) pad the
// sort and rank last.
inline bool ranks_before(int largest, X_ACC a, int ia, X_ACC b, int ib, int n) {
    if (ia >= n) return false;
    if (ib >= n) return true;
#if X_FLOAT
    if (isnan(a) || isnan(b)) {
        if (isnan(a) && isnan(b)) return ia < ib;
        return largest ? isnan(a) : isnan(b);
    }
#endif
    if (a == b) return ia < ib;
    return largest ? a > b : a < b;
}

// The lower slot of pair t in the compare-exchange step of a bitonic sort whose pairs lie gap
// apart; its partner is lo + gap. Pairs in a block of `size` with (lo & size) == 0 put the better
// first, the others the worse, so the last step (size = p) leaves the line best first.
inline long bitonic_lo(long t, long gap) {
    return 2 * gap * (t / gap) + t % gap;
}

// The whole line in local memory, padded to p (a power of two): one launch per line group.
kernel void topk_local(global const X_T *x, const shape_t ls, const view_t lv, const long stride,
        global X_T *values, const view_t vv, const long values_stride, global long *indices, const view_t iv,
        const long indices_stride, const int n, const int p, const int k, const int largest,
        local X_ACC *keys, local int *slots) {
    const int lid = get_local_id(0);
    const int g = get_local_size(0);
    for (long line = get_group_id(0); line < ls.numel; line += get_num_groups(0)) {
        long base = element_at(&ls, &lv, line);
        for (int j = lid; j < p; j += g) {
            keys[j] = j < n ? LOAD(X, x, base + j * stride) : 0;
            slots[j] = j;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int size = 2; size <= p; size <<= 1) {
            for (int gap = size / 2; gap > 0; gap >>= 1) {
                for (int t = lid; t < p / 2; t += g) {
                    int lo = (int) bitonic_lo(t, gap);
                    int hi = lo + gap;
                    bool up = (lo & size) == 0;
                    bool swap = up ? ranks_before(largest, keys[hi], slots[hi], keys[lo], slots[lo], n)
                                   : ranks_before(largest, keys[lo], slots[lo], keys[hi], slots[hi], n);
                    if (swap) {
                        X_ACC key = keys[lo];
                        keys[lo] = keys[hi];
                        keys[hi] = key;
                        int slot = slots[lo];
                        slots[lo] = slots[hi];
                        slots[hi] = slot;
                    }
                }
                barrier(CLK_LOCAL_MEM_FENCE);
            }
        }
        long vto = element_at(&ls, &vv, line);
        long ito = element_at(&ls, &iv, line);
        for (int r = lid; r < k; r += g) {
            STORE(X, values, vto + r * values_stride, keys[r]);
            indices[ito + r * indices_stride] = slots[r];
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
}

// Lines too long for local memory: keys and slots in global scratch of p per line, one launch per
// compare-exchange step (topk_step), between a load and a store.
kernel void topk_load(global const X_T *x, const shape_t ls, const view_t lv, const long stride, const int n,
        const int p, global X_ACC *keys, global int *slots) {
    FOR_EACH(i, ls.numel * p) {
        long line = i / p;
        int j = (int) (i % p);
        keys[i] = j < n ? LOAD(X, x, element_at(&ls, &lv, line) + j * stride) : 0;
        slots[i] = j;
    }
}

kernel void topk_step(global X_ACC *keys, global int *slots, const long lines, const int p, const int size,
        const int gap, const int n, const int largest) {
    FOR_EACH(i, lines * (p / 2)) {
        long line = i / (p / 2);
        long t = i % (p / 2);
        long lo = bitonic_lo(t, gap);
        bool up = (lo & size) == 0;
        lo += line * p;
        long hi = lo + gap;
        bool swap = up ? ranks_before(largest, keys[hi], slots[hi], keys[lo], slots[lo], n)
                       : ranks_before(largest, keys[lo], slots[lo], keys[hi], slots[hi], n);
        if (swap) {
            X_ACC key = keys[lo];
            keys[lo] = keys[hi];
            keys[hi] = key;
            int slot = slots[lo];
            slots[lo] = slots[hi];
            slots[hi] = slot;
        }
    }
}

kernel void topk_store(global const X_ACC *keys, global const int *slots, const shape_t ls, const int p, const int k,
        global X_T *values, const view_t vv, const long values_stride, global long *indices, const view_t iv,
        const long indices_stride) {
    FOR_EACH(i, ls.numel * k) {
        long line = i / k;
        long r = i % k;
        STORE(X, values, element_at(&ls, &vv, line) + r * values_stride, keys[line * p + r]);
        indices[element_at(&ls, &iv, line) + r * indices_stride] = slots[line * p + r];
    }
}

#endif
