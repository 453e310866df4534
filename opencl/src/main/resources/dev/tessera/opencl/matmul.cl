// matmul.cl: C[z, m, n] = sum_k A[z, m, k] * B[z, k, n] over batches z, for every floating dtype
// (operand A typed by ClTypes: A_T storage, A_ACC compute type; B and C share it). Operands are
// any views: the batch dims go through shape_t/view_t (offsets included), the matrix dims through
// a row and a column stride each. Every output element is one accumulator updated by fma in
// ascending k, in both kernels and in every tile configuration, so all of them give the same bits.
//
// Work-group dims: 0 walks n, 1 walks m, 2 walks batches (looping when there are more batches
// than a grid dim holds).

#define ACC A_ACC
#define ACC4 CAT(A_ACC, 4)

// One work item per output element: tiny, skinny or empty-K products, and the reference for the
// tiled kernel's bits.
kernel void gemm_simple(global const A_T *a, const view_t va, const long a_rs, const long a_cs,
                        global const A_T *b, const view_t vb, const long b_rs, const long b_cs,
                        global A_T *c, const view_t vc, const long c_rs, const long c_cs,
                        const shape_t batch, const long batches, const int M, const int N, const int K) {
    const int n = get_global_id(0);
    const int m = get_global_id(1);
    if (m >= M || n >= N) {
        return;
    }
    for (long z = get_group_id(2); z < batches; z += get_num_groups(2)) {
        const long ab = element_at(&batch, &va, z) + m * a_rs;
        const long bb = element_at(&batch, &vb, z) + n * b_cs;
        ACC acc = 0;
        for (int k = 0; k < K; k++) {
            acc = fma(LOAD(A, a, ab + k * a_cs), LOAD(A, b, bb + k * b_rs), acc);
        }
        STORE(A, c, element_at(&batch, &vc, z) + m * c_rs + n * c_cs, acc);
    }
}

#ifdef BM
// The tiled kernel. A work-group of WX x WY items computes a BM x BN block of C, walking K in
// slices of BK that are staged in local memory (A as [BK][BM], B as [BK][BN], rows padded so
// that the transposing stores spread over banks). Each item holds a TM x TN register tile made of
// 4-wide chunks: rows ty*4 + i*WY*4 and columns tx*4 + j*WX*4, so a quarter warp's vector reads
// of local memory and its stores to C are contiguous. The next slice is loaded into registers
// while the current one is multiplied.
//
// Loading a slice: item t reads A_LOADS elements of A, the first at (mt, kt) of the slice and the
// next ones a fixed step (dm, dk) further. Consecutive items take consecutive k when A's rows are
// contiguous (a_kfast), consecutive m otherwise, so the global reads coalesce either way; B alike
// with n. GemmConfig checks that WG is a multiple of BM, BN and BK, which makes the step fixed.
#define WX (BN / TN)
#define WY (BM / TM)
#define WG (WX * WY)
#define PAD 4
#define LDA (BM + PAD)
#define LDB (BN + PAD)
#define A_LOADS (BM * BK / WG)
#define B_LOADS (BK * BN / WG)

__attribute__((reqd_work_group_size(WX, WY, 1)))
kernel void gemm_tiled(global const A_T *a, const view_t va, const long a_rs, const long a_cs,
                       global const A_T *b, const view_t vb, const long b_rs, const long b_cs,
                       global A_T *c, const view_t vc, const long c_rs, const long c_cs,
                       const shape_t batch, const long batches, const int M, const int N, const int K,
                       const int a_kfast, const int b_nfast) {
    local ACC4 a_tile4[BK * LDA / 4];
    local ACC4 b_tile4[BK * LDB / 4];
    local ACC *a_tile = (local ACC *) a_tile4;
    local ACC *b_tile = (local ACC *) b_tile4;

    const int tx = get_local_id(0);
    const int ty = get_local_id(1);
    const int tid = ty * WX + tx;
    const int m0 = get_group_id(1) * BM;
    const int n0 = get_group_id(0) * BN;
    // A whole block inside C, so its loads of A and B along m and n need no checks.
    const bool inside = m0 + BM <= M && n0 + BN <= N;
    const int slices = (K + BK - 1) / BK;

    const int mt = a_kfast ? tid / BK : tid % BM;
    const int akt = a_kfast ? tid % BK : tid / BM;
    const int dm = a_kfast ? WG / BK : 0;
    const int adk = a_kfast ? 0 : WG / BM;
    const int nt = b_nfast ? tid % BN : tid / BK;
    const int bkt = b_nfast ? tid / BN : tid % BK;
    const int dn = b_nfast ? 0 : WG / BK;
    const int bdk = b_nfast ? WG / BN : 0;
    const long a_step = dm * a_rs + adk * a_cs;
    const long b_step = bdk * b_rs + dn * b_cs;
    // Where this item's loads land in the local slices.
    const int a_at = akt * LDA + mt;
    const int a_at_step = adk * LDA + dm;
    const int b_at = bkt * LDB + nt;
    const int b_at_step = bdk * LDB + dn;

    for (long z = get_group_id(2); z < batches; z += get_num_groups(2)) {
        // This item's first element of A and of B in slice 0; a slice further is BK columns of A, BK rows of B.
        global const A_T *a_item = a + element_at(&batch, &va, z) + (m0 + mt) * a_rs + akt * a_cs;
        global const A_T *b_item = b + element_at(&batch, &vb, z) + bkt * b_rs + (n0 + nt) * b_cs;
        ACC acc[TM][TN];
        for (int i = 0; i < TM; i++) {
            for (int j = 0; j < TN; j++) {
                acc[i][j] = 0;
            }
        }
        ACC a_next[A_LOADS];
        ACC b_next[B_LOADS];

        // Reads slice s into a_next / b_next; zeros outside the matrices.
#define FETCH(s)                                                                                    \
        {                                                                                           \
            const int k0 = (s) * BK;                                                                \
            global const A_T *pa = a_item + k0 * a_cs;                                              \
            global const A_T *pb = b_item + k0 * b_rs;                                              \
            if (inside && k0 + BK <= K) {                                                           \
                for (int l = 0; l < A_LOADS; l++) {                                                 \
                    a_next[l] = LOAD(A, pa, l * a_step);                                            \
                }                                                                                   \
                for (int l = 0; l < B_LOADS; l++) {                                                 \
                    b_next[l] = LOAD(A, pb, l * b_step);                                            \
                }                                                                                   \
            } else {                                                                                \
                for (int l = 0; l < A_LOADS; l++) {                                                 \
                    const bool in = m0 + mt + l * dm < M && k0 + akt + l * adk < K;                 \
                    a_next[l] = in ? LOAD(A, pa, l * a_step) : (ACC) 0;                             \
                }                                                                                   \
                for (int l = 0; l < B_LOADS; l++) {                                                 \
                    const bool in = k0 + bkt + l * bdk < K && n0 + nt + l * dn < N;                 \
                    b_next[l] = in ? LOAD(A, pb, l * b_step) : (ACC) 0;                             \
                }                                                                                   \
            }                                                                                       \
        }
#define STAGE()                                                                                     \
        {                                                                                           \
            for (int l = 0; l < A_LOADS; l++) {                                                     \
                a_tile[a_at + l * a_at_step] = a_next[l];                                           \
            }                                                                                       \
            for (int l = 0; l < B_LOADS; l++) {                                                     \
                b_tile[b_at + l * b_at_step] = b_next[l];                                           \
            }                                                                                       \
        }

        FETCH(0);
        STAGE();
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int s = 0; s < slices; s++) {
            if (s + 1 < slices) {
                FETCH(s + 1);
            }
#if UNROLL_K
#pragma unroll
#endif
            for (int kk = 0; kk < BK; kk++) {
                ACC4 ar[TM / 4];
                ACC4 br[TN / 4];
                for (int i = 0; i < TM / 4; i++) {
                    ar[i] = a_tile4[kk * (LDA / 4) + i * WY + ty];
                }
                for (int j = 0; j < TN / 4; j++) {
                    br[j] = b_tile4[kk * (LDB / 4) + j * WX + tx];
                }
                for (int i = 0; i < TM / 4; i++) {
                    for (int j = 0; j < TN / 4; j++) {
                        const ACC av[4] = {ar[i].x, ar[i].y, ar[i].z, ar[i].w};
                        const ACC bv[4] = {br[j].x, br[j].y, br[j].z, br[j].w};
                        for (int p = 0; p < 4; p++) {
                            for (int q = 0; q < 4; q++) {
                                acc[i * 4 + p][j * 4 + q] = fma(av[p], bv[q], acc[i * 4 + p][j * 4 + q]);
                            }
                        }
                    }
                }
            }
            barrier(CLK_LOCAL_MEM_FENCE);
            if (s + 1 < slices) {
                STAGE();
                barrier(CLK_LOCAL_MEM_FENCE);
            }
        }
#undef FETCH
#undef STAGE

        global A_T *cp = c + element_at(&batch, &vc, z);
        for (int i = 0; i < TM; i++) {
            const int m = m0 + (i / 4) * WY * 4 + ty * 4 + i % 4;
            for (int j = 0; j < TN; j++) {
                const int n = n0 + (j / 4) * WX * 4 + tx * 4 + j % 4;
                if (inside || (m < M && n < N)) {
                    STORE(A, cp, m * c_rs + n * c_cs, acc[i][j]);
                }
            }
        }
    }
}
#endif
