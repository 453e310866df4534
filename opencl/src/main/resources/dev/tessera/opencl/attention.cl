// attention.cl: the FlashAttention-2 forward and backward (REFERENCE.md §5) for Backend.attention
// and Backend.attentionBackward. Never forms the Nq x Nk matrix: each work-group owns one block of
// ROWS rows and streams blocks of COLS columns through local memory.
//
// Build options: X types q, k, v, mask, out and gradOut (one dtype); L types lse and the row sums
// D (F32, or F64 for F64 inputs). T, X's compute type, is float or double. Block sizes (chosen by
// AttentionKernels from the device's local memory): ROWS (a multiple of 32) rows per group, COLS
// (a multiple of 32) columns per block, DK (a multiple of 8) the head-dim chunk of a score product,
// DP and DVP the q/k and v head dims rounded up to 32, VC rows of a row-major chunk. FORWARD or
// BACKWARD picks the kernels a program holds, so each pass compiles only its own.
//
// Work-items: ROWS / 4 x 8. Item (tr, tc) holds rows tr*4 .. tr*4+3 of every tile, and of a
// score tile the columns g*32 + tc*4 .. +3 for g < COLS / 32; of an accumulator over a head dim
// the columns j*32 + tc*4 .. +3. So the 8 items of a row are adjacent, a warp reads 128 bytes of
// local memory per vector load, and a row's statistics are combined through local memory in the
// fixed order tc = 0 .. 7. Every sum runs in a fixed order: the results are the same bits every run.

#define T X_ACC
#define T4 CAT(X_ACC, 4)
#define NT (ROWS / 4 * 8)
#define CG (COLS / 32)
// Leading dims of the transposed tiles: +4 keeps vector loads aligned and the staging stores
// conflict-free (ld = 4 mod 32 banks).
#define LDR (ROWS + 4)
#define LDC (COLS + 4)
// The staging region: a DK-chunk of both operands of a score product, or VC rows of a row-major tile.
#define STAGE (DK * (LDR + LDC))
#define TILE_T4 ((STAGE + COLS * LDR + ROWS * 8) / 4)

// A 4-d view: where element (0,0,0,0) sits and the step per dim, in elements (lse uses 3 dims).
typedef struct { long offset; long stride[4]; } view4_t;

// Stores the first `lanes` lanes of x (all four when lanes >= 4) at p[at], p[at + 1], ...: the
// end of a row narrower than the padded head dim.
inline void store_lanes(global X_T *p, long at, int lanes, T4 x) {
    if (lanes > 0) STORE(X, p, at, x.x);
    if (lanes > 1) STORE(X, p, at + 1, x.y);
    if (lanes > 2) STORE(X, p, at + 2, x.z);
    if (lanes > 3) STORE(X, p, at + 3, x.w);
}

inline long at4(const view4_t *v, long b, long h, long r, long c) {
    return v->offset + b * v->stride[0] + h * v->stride[1] + r * v->stride[2] + c * v->stride[3];
}

// What decides which scores a (batch, head) keeps: the lengths, causal alignment and the mask.
typedef struct {
    long b;
    long h;
    int nq;
    int nk;
    int causal;
    int masked;
} scope_t;

// Score s of query r and key c: -infinity where the key is hidden (past an end, or past the
// bottom-right causal diagonal), else s plus the mask.
inline T score_at(T s, int r, int c, const scope_t *sc, global const X_T *mask, const view4_t *vm) {
    if (r >= sc->nq || c >= sc->nk || (sc->causal && c > r + sc->nk - sc->nq)) {
        return -INFINITY;
    }
    return sc->masked ? s + LOAD(X, mask, at4(vm, sc->b, sc->h, r, c)) : s;
}

// Four scores whose (query, key) start at (r, c) and step by (dr, dc) lane by lane.
inline T4 scores4(T4 s, int r, int c, int dr, int dc, const scope_t *sc, global const X_T *mask, const view4_t *vm) {
    return (T4) (score_at(s.x, r, c, sc, mask, vm), score_at(s.y, r + dr, c + dc, sc, mask, vm),
            score_at(s.z, r + 2 * dr, c + 2 * dc, sc, mask, vm), score_at(s.w, r + 3 * dr, c + 3 * dc, sc, mask, vm));
}

// Applies score_at to a score tile whose rows are queries (keysAreRows 0) or keys (1).
inline void mask_tile(T4 s[4][CG], int row0, int col0, int keysAreRows, const scope_t *sc,
        global const X_T *mask, const view4_t *vm) {
    int tr = get_local_id(0) / 8;
    int tc = get_local_id(0) % 8;
    for (int i = 0; i < 4; i++) {
        int row = row0 + tr * 4 + i;
        for (int g = 0; g < CG; g++) {
            int col = col0 + g * 32 + tc * 4;
            s[i][g] = keysAreRows ? scores4(s[i][g], col, row, 1, 0, sc, mask, vm)
                                  : scores4(s[i][g], row, col, 0, 1, sc, mask, vm);
        }
    }
}

// dst[d][row] = scale * src[b, h, row0 + row, d0 + d] for d < DK, row < nrows (ld nrows + 4),
// 0 past rowEnd or dEnd. A warp covers 8 dims of 4 rows: full 32-byte sectors of a row-major source.
inline void stage_transposed(local T *dst, const int nrows, global const X_T *src, const view4_t *v, long b, long h,
        int row0, int rowEnd, int d0, int dEnd, T scale) {
    for (int idx = get_local_id(0); idx < nrows * DK; idx += NT) {
        int rest = idx / 8;
        int row = rest % nrows;
        int d = (rest / nrows) * 8 + idx % 8;
        int r = row0 + row;
        T x = 0;
        if (r < rowEnd && d0 + d < dEnd) {
            x = scale * LOAD(X, src, at4(v, b, h, r, d0 + d));
        }
        dst[d * (nrows + 4) + row] = x;
    }
}

// dst[k][e] = src[b, h, row0 + k, e] for k < nrows, e < width (row-major), 0 past rowEnd or dEnd.
inline void stage_rows(local T *dst, const int nrows, const int width, global const X_T *src, const view4_t *v,
        long b, long h, int row0, int rowEnd, int dEnd) {
    for (int idx = get_local_id(0); idx < nrows * width; idx += NT) {
        int k = idx / width;
        int e = idx % width;
        T x = 0;
        if (row0 + k < rowEnd && e < dEnd) {
            x = LOAD(X, src, at4(v, b, h, row0 + k, e));
        }
        dst[idx] = x;
    }
}

// s[i][g] += sum over the DK-chunk of a[d][tr*4 + i] * b[d][g*32 + tc*4 .. +3].
inline void accumulate_scores(T4 s[4][CG], local const T *a, local const T *bt) {
    int tr = get_local_id(0) / 8;
    int tc = get_local_id(0) % 8;
    for (int d = 0; d < DK; d++) {
        T4 x = *(local const T4 *) (a + d * LDR + tr * 4);
        for (int g = 0; g < CG; g++) {
            T4 y = *(local const T4 *) (bt + d * LDC + g * 32 + tc * 4);
            s[0][g] += x.x * y;
            s[1][g] += x.y * y;
            s[2][g] += x.z * y;
            s[3][g] += x.w * y;
        }
    }
}

// acc[i][j] += sum over k < nk of p[k][tr*4 + i] * rows[k][j*32 + tc*4 .. +3], for an accumulator
// over a head dim of WIDTH (padded) columns.
#define ACCUMULATE_ROWS(NAME, WIDTH)                                                            \
    inline void NAME(T4 acc[4][WIDTH / 32], local const T *p, local const T *rows, int nk) {   \
        int tr = get_local_id(0) / 8;                                                           \
        int tc = get_local_id(0) % 8;                                                           \
        for (int k = 0; k < nk; k++) {                                                          \
            T4 x = *(local const T4 *) (p + k * LDR + tr * 4);                                  \
            for (int j = 0; j < WIDTH / 32; j++) {                                              \
                T4 y = *(local const T4 *) (rows + k * WIDTH + j * 32 + tc * 4);                \
                acc[0][j] += x.x * y;                                                           \
                acc[1][j] += x.y * y;                                                           \
                acc[2][j] += x.z * y;                                                           \
                acc[3][j] += x.w * y;                                                           \
            }                                                                                   \
        }                                                                                       \
    }
ACCUMULATE_ROWS(accumulate_rows_dp, DP)
ACCUMULATE_ROWS(accumulate_rows_dvp, DVP)

// Writes a tile transposed into p: p[col][tr*4 .. +3] (ld LDR), the layout ACCUMULATE_ROWS reads.
inline void store_transposed(local T *p, T4 s[4][CG]) {
    int tr = get_local_id(0) / 8;
    int tc = get_local_id(0) % 8;
    for (int g = 0; g < CG; g++) {
        local T *at = p + (g * 32 + tc * 4) * LDR + tr * 4;
        *(local T4 *) at = (T4) (s[0][g].x, s[1][g].x, s[2][g].x, s[3][g].x);
        *(local T4 *) (at + LDR) = (T4) (s[0][g].y, s[1][g].y, s[2][g].y, s[3][g].y);
        *(local T4 *) (at + 2 * LDR) = (T4) (s[0][g].z, s[1][g].z, s[2][g].z, s[3][g].z);
        *(local T4 *) (at + 3 * LDR) = (T4) (s[0][g].w, s[1][g].w, s[2][g].w, s[3][g].w);
    }
}

inline T max4(T4 x) {
    return fmax(fmax(x.x, x.y), fmax(x.z, x.w));
}

// How many key blocks of COLS the query rows r0 .. r0+ROWS-1 see (fewer under causal alignment).
inline int key_blocks_seen(int causal, int r0, int nq, int nk) {
    int blocks = (nk + COLS - 1) / COLS;
    if (!causal) {
        return blocks;
    }
    int lastKey = min(r0 + ROWS, nq) - 1 + nk - nq;
    return lastKey < 0 ? 0 : min(blocks, lastKey / COLS + 1);
}

// S = scale Q K^T for query rows r0.. and keys c0.. (the head dim in DK-chunks), masked.
inline void score_tile(T4 s[4][CG], local T *tile, global const X_T *q, const view4_t *vq, global const X_T *k,
        const view4_t *vk, global const X_T *mask, const view4_t *vm, const scope_t *sc, long g, int r0, int c0,
        int dq, T scale) {
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < CG; j++) {
            s[i][j] = 0;
        }
    }
    for (int d0 = 0; d0 < dq; d0 += DK) {
        barrier(CLK_LOCAL_MEM_FENCE);
        stage_transposed(tile, ROWS, q, vq, sc->b, sc->h, r0, sc->nq, d0, dq, scale);
        stage_transposed(tile + DK * LDR, COLS, k, vk, sc->b, g, c0, sc->nk, d0, dq, 1);
        barrier(CLK_LOCAL_MEM_FENCE);
        accumulate_scores(s, tile, tile + DK * LDR);
    }
    mask_tile(s, r0, c0, 0, sc, mask, vm);
}

#ifdef FORWARD
// The forward: one group per (batch, head, block of ROWS query rows), grid-ordered block-fastest.
// Online softmax per row (running max m, sum l, unnormalised accumulator rescaled by exp(m_old -
// m_new)); a row that saw no key gets out = 0 and lse = +infinity.
kernel void attention_forward(global const X_T *q, const view4_t vq, global const X_T *k, const view4_t vk,
        global const X_T *v, const view4_t vv, global const X_T *mask, const view4_t vm, const int masked,
        global X_T *out, global L_T *lse, const int heads, const int group, const int nq, const int nk,
        const int dq, const int dv, const T scale, const int causal) {
    local T4 tile4[TILE_T4];
    local T *tile = (local T *) tile4;
    local T *p = tile + STAGE;
    local T *red = p + COLS * LDR;
    int tr = get_local_id(0) / 8;
    int tc = get_local_id(0) % 8;
    int blocks = (nq + ROWS - 1) / ROWS;
    long bh = get_group_id(0) / blocks;
    int r0 = (int) (get_group_id(0) % blocks) * ROWS;
    scope_t sc = {bh / heads, bh % heads, nq, nk, causal, masked};
    long g = sc.h / group;

    T m[4];
    T l[4];
    T4 acc[4][DVP / 32];
    for (int i = 0; i < 4; i++) {
        m[i] = -INFINITY;
        l[i] = 0;
        for (int j = 0; j < DVP / 32; j++) {
            acc[i][j] = 0;
        }
    }
    int end = key_blocks_seen(causal, r0, nq, nk);
    for (int kb = 0; kb < end; kb++) {
        int c0 = kb * COLS;
        T4 s[4][CG];
        score_tile(s, tile, q, &vq, k, &vk, mask, &vm, &sc, g, r0, c0, dq, scale);
        for (int i = 0; i < 4; i++) {
            T partial = -INFINITY;
            for (int j = 0; j < CG; j++) {
                partial = fmax(partial, max4(s[i][j]));
            }
            red[(tr * 4 + i) * 8 + tc] = partial;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int i = 0; i < 4; i++) {
            T newMax = m[i];
            for (int t = 0; t < 8; t++) {
                newMax = fmax(newMax, red[(tr * 4 + i) * 8 + t]);
            }
            // A row that has seen only hidden keys keeps max -infinity: shift by 0, so exp gives 0, not NaN.
            T base = newMax == -INFINITY ? 0 : newMax;
            T alpha = exp(m[i] - base);
            // Each item sums its own columns; the 8 partial sums are added once at the end.
            T rowSum = 0;
            for (int j = 0; j < CG; j++) {
                s[i][j] = exp(s[i][j] - base);
                rowSum += (s[i][j].x + s[i][j].y) + (s[i][j].z + s[i][j].w);
            }
            l[i] = alpha * l[i] + rowSum;
            for (int j = 0; j < DVP / 32; j++) {
                acc[i][j] *= alpha;
            }
            m[i] = newMax;
        }
        store_transposed(p, s);
        int keys = min(COLS, nk - c0);
        for (int kc = 0; kc < keys; kc += VC) {
            barrier(CLK_LOCAL_MEM_FENCE);
            stage_rows(tile, VC, DVP, v, &vv, sc.b, g, c0 + kc, nk, dv);
            barrier(CLK_LOCAL_MEM_FENCE);
            accumulate_rows_dvp(acc, p + kc * LDR, tile, min(VC, keys - kc));
        }
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int i = 0; i < 4; i++) {
        red[(tr * 4 + i) * 8 + tc] = l[i];
    }
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int i = 0; i < 4; i++) {
        int r = r0 + tr * 4 + i;
        if (r >= nq) {
            continue;
        }
        T sum = 0;
        for (int t = 0; t < 8; t++) {
            sum += red[(tr * 4 + i) * 8 + t];
        }
        bool empty = sum == 0;
        T inverse = empty ? 0 : 1 / sum;
        long row = (bh * nq + r) * dv;
        for (int j = 0; j < DVP / 32; j++) {
            T4 o = acc[i][j] * inverse;
            int e = j * 32 + tc * 4;
            store_lanes(out, row + e, dv - e, o);
        }
        if (tc == 0) {
            STORE(L, lse, bh * nq + r, empty ? (T) INFINITY : m[i] + log(sum));
        }
    }
}

#endif

#ifdef BACKWARD
// The backward's row sums D[r] = sum_e gradOut[r, e] out[r, e] (contiguous [B, H, Nq]), one
// work-item per row.
kernel void attention_delta(global const X_T *gradOut, const view4_t vgo, global const X_T *out, const view4_t vo,
        global L_T *delta, const long rows, const int heads, const int nq, const int dv) {
    FOR_EACH(i, rows) {
        long bh = i / nq;
        long b = bh / heads;
        long h = bh % heads;
        long r = i % nq;
        T sum = 0;
        for (int e = 0; e < dv; e++) {
            sum += LOAD(X, gradOut, at4(&vgo, b, h, r, e)) * LOAD(X, out, at4(&vo, b, h, r, e));
        }
        STORE(L, delta, i, sum);
    }
}

// dP = gradOut V^T for the rows and columns of a score tile, the value head dim in DK-chunks:
// `a` rows (queries, or keys when keysAreRows) and `bt` columns are read from gradOut or v.
inline void value_products(T4 dp[4][CG], local T *tile, global const X_T *gradOut, const view4_t *vgo,
        global const X_T *v, const view4_t *vv, const scope_t *sc, long g, int q0, int c0, int dv, int keysAreRows) {
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < CG; j++) {
            dp[i][j] = 0;
        }
    }
    for (int d0 = 0; d0 < dv; d0 += DK) {
        barrier(CLK_LOCAL_MEM_FENCE);
        if (keysAreRows) {
            stage_transposed(tile, ROWS, v, vv, sc->b, g, c0, sc->nk, d0, dv, 1);
            stage_transposed(tile + DK * LDR, COLS, gradOut, vgo, sc->b, sc->h, q0, sc->nq, d0, dv, 1);
        } else {
            stage_transposed(tile, ROWS, gradOut, vgo, sc->b, sc->h, q0, sc->nq, d0, dv, 1);
            stage_transposed(tile + DK * LDR, COLS, v, vv, sc->b, g, c0, sc->nk, d0, dv, 1);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        accumulate_scores(dp, tile, tile + DK * LDR);
    }
}

// gradQ: one group per (batch, head, block of ROWS query rows). For each key block it rebuilds
// P = exp(S - lse), dP = gradOut V^T and dS = P (dP - D), and adds dS K; gradQ = scale dS K.
kernel void attention_grad_q(global const X_T *gradOut, const view4_t vgo, global const X_T *q, const view4_t vq,
        global const X_T *k, const view4_t vk, global const X_T *v, const view4_t vv, global const X_T *mask,
        const view4_t vm, const int masked, global const L_T *lse, const view4_t vl, global const L_T *delta,
        global X_T *gradQ, const int heads, const int group, const int nq, const int nk, const int dq, const int dv,
        const T scale, const int causal) {
    local T4 tile4[TILE_T4];
    local T *tile = (local T *) tile4;
    local T *p = tile + STAGE;
    int tr = get_local_id(0) / 8;
    int tc = get_local_id(0) % 8;
    int blocks = (nq + ROWS - 1) / ROWS;
    long bh = get_group_id(0) / blocks;
    int r0 = (int) (get_group_id(0) % blocks) * ROWS;
    scope_t sc = {bh / heads, bh % heads, nq, nk, causal, masked};
    long g = sc.h / group;

    T rowLse[4];
    T rowDelta[4];
    T4 acc[4][DP / 32];
    for (int i = 0; i < 4; i++) {
        int r = r0 + tr * 4 + i;
        rowLse[i] = r < nq ? LOAD(L, lse, at4(&vl, sc.b, sc.h, r, 0)) : (T) INFINITY;
        rowDelta[i] = r < nq ? LOAD(L, delta, bh * nq + r) : 0;
        for (int j = 0; j < DP / 32; j++) {
            acc[i][j] = 0;
        }
    }
    int end = key_blocks_seen(causal, r0, nq, nk);
    for (int kb = 0; kb < end; kb++) {
        int c0 = kb * COLS;
        T4 s[4][CG];
        T4 dp[4][CG];
        score_tile(s, tile, q, &vq, k, &vk, mask, &vm, &sc, g, r0, c0, dq, scale);
        value_products(dp, tile, gradOut, &vgo, v, &vv, &sc, g, r0, c0, dv, 0);
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < CG; j++) {
                // exp(-infinity) = 0 for hidden keys and for rows whose lse is +infinity.
                s[i][j] = exp(s[i][j] - rowLse[i]) * (dp[i][j] - rowDelta[i]);
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        store_transposed(p, s);
        int keys = min(COLS, nk - c0);
        for (int kc = 0; kc < keys; kc += VC) {
            barrier(CLK_LOCAL_MEM_FENCE);
            stage_rows(tile, VC, DP, k, &vk, sc.b, g, c0 + kc, nk, dq);
            barrier(CLK_LOCAL_MEM_FENCE);
            accumulate_rows_dp(acc, p + kc * LDR, tile, min(VC, keys - kc));
        }
    }
    for (int i = 0; i < 4; i++) {
        int r = r0 + tr * 4 + i;
        if (r >= nq) {
            continue;
        }
        long row = (bh * nq + r) * dq;
        for (int j = 0; j < DP / 32; j++) {
            T4 x = acc[i][j] * scale;
            int d = j * 32 + tc * 4;
            store_lanes(gradQ, row + d, dq - d, x);
        }
    }
}

// gradK and gradV: one group per (batch, kv head, block of ROWS keys); it loops over the query
// heads that share the kv head, in order, and over the query blocks that can see its keys, with
// the tiles transposed (rows are keys, columns queries): gradV += P^T gradOut, gradK += dS^T Q,
// gradK scaled by scale at the end.
kernel void attention_grad_kv(global const X_T *gradOut, const view4_t vgo, global const X_T *q, const view4_t vq,
        global const X_T *k, const view4_t vk, global const X_T *v, const view4_t vv, global const X_T *mask,
        const view4_t vm, const int masked, global const L_T *lse, const view4_t vl, global const L_T *delta,
        global X_T *gradK, global X_T *gradV, const int kvHeads, const int group, const int nq, const int nk,
        const int dq, const int dv, const T scale, const int causal) {
    local T4 tile4[TILE_T4];
    local T *tile = (local T *) tile4;
    local T *p = tile + STAGE;
    int tr = get_local_id(0) / 8;
    int tc = get_local_id(0) % 8;
    int blocks = (nk + ROWS - 1) / ROWS;
    long bg = get_group_id(0) / blocks;
    int c0 = (int) (get_group_id(0) % blocks) * ROWS;
    long b = bg / kvHeads;
    long g = bg % kvHeads;

    T4 accK[4][DP / 32];
    T4 accV[4][DVP / 32];
    for (int i = 0; i < 4; i++) {
        for (int j = 0; j < DP / 32; j++) {
            accK[i][j] = 0;
        }
        for (int j = 0; j < DVP / 32; j++) {
            accV[i][j] = 0;
        }
    }
    // The first query that sees key c0 (bottom-right alignment); earlier query blocks see none of the block.
    int firstQuery = causal ? max(0, c0 - (nk - nq)) : 0;
    for (int hh = 0; hh < group; hh++) {
        scope_t sc = {b, g * group + hh, nq, nk, causal, masked};
        long bh = b * kvHeads * group + sc.h;
        for (int q0 = firstQuery / COLS * COLS; q0 < nq; q0 += COLS) {
            T4 s[4][CG];
            T4 dp[4][CG];
            for (int i = 0; i < 4; i++) {
                for (int j = 0; j < CG; j++) {
                    s[i][j] = 0;
                }
            }
            for (int d0 = 0; d0 < dq; d0 += DK) {
                barrier(CLK_LOCAL_MEM_FENCE);
                stage_transposed(tile, ROWS, k, &vk, b, g, c0, nk, d0, dq, 1);
                stage_transposed(tile + DK * LDR, COLS, q, &vq, b, sc.h, q0, nq, d0, dq, scale);
                barrier(CLK_LOCAL_MEM_FENCE);
                accumulate_scores(s, tile, tile + DK * LDR);
            }
            mask_tile(s, c0, q0, 1, &sc, mask, &vm);
            value_products(dp, tile, gradOut, &vgo, v, &vv, &sc, g, q0, c0, dv, 1);
            for (int j = 0; j < CG; j++) {
                int r = q0 + j * 32 + tc * 4;
                T4 colLse;
                T4 colDelta;
                colLse.x = r < nq ? LOAD(L, lse, at4(&vl, b, sc.h, r, 0)) : (T) INFINITY;
                colLse.y = r + 1 < nq ? LOAD(L, lse, at4(&vl, b, sc.h, r + 1, 0)) : (T) INFINITY;
                colLse.z = r + 2 < nq ? LOAD(L, lse, at4(&vl, b, sc.h, r + 2, 0)) : (T) INFINITY;
                colLse.w = r + 3 < nq ? LOAD(L, lse, at4(&vl, b, sc.h, r + 3, 0)) : (T) INFINITY;
                colDelta.x = r < nq ? LOAD(L, delta, bh * nq + r) : 0;
                colDelta.y = r + 1 < nq ? LOAD(L, delta, bh * nq + r + 1) : 0;
                colDelta.z = r + 2 < nq ? LOAD(L, delta, bh * nq + r + 2) : 0;
                colDelta.w = r + 3 < nq ? LOAD(L, delta, bh * nq + r + 3) : 0;
                for (int i = 0; i < 4; i++) {
                    s[i][j] = exp(s[i][j] - colLse);
                    dp[i][j] = s[i][j] * (dp[i][j] - colDelta);
                }
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            store_transposed(p, s);
            int queries = min(COLS, nq - q0);
            for (int qc = 0; qc < queries; qc += VC) {
                barrier(CLK_LOCAL_MEM_FENCE);
                stage_rows(tile, VC, DVP, gradOut, &vgo, b, sc.h, q0 + qc, nq, dv);
                barrier(CLK_LOCAL_MEM_FENCE);
                accumulate_rows_dvp(accV, p + qc * LDR, tile, min(VC, queries - qc));
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            store_transposed(p, dp);
            for (int qc = 0; qc < queries; qc += VC) {
                barrier(CLK_LOCAL_MEM_FENCE);
                stage_rows(tile, VC, DP, q, &vq, b, sc.h, q0 + qc, nq, dq);
                barrier(CLK_LOCAL_MEM_FENCE);
                accumulate_rows_dp(accK, p + qc * LDR, tile, min(VC, queries - qc));
            }
        }
    }
    for (int i = 0; i < 4; i++) {
        int c = c0 + tr * 4 + i;
        if (c >= nk) {
            continue;
        }
        long rowK = (bg * nk + c) * dq;
        long rowV = (bg * nk + c) * dv;
        for (int j = 0; j < DP / 32; j++) {
            T4 x = accK[i][j] * scale;
            int d = j * 32 + tc * 4;
            store_lanes(gradK, rowK + d, dq - d, x);
        }
        for (int j = 0; j < DVP / 32; j++) {
            T4 x = accV[i][j];
            int e = j * 32 + tc * 4;
            store_lanes(gradV, rowV + e, dv - e, x);
        }
    }
}
#endif
