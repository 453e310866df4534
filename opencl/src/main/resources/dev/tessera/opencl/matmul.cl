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
#define WX (BN / TN)
#define WY (BM / TM)
#define WG (WX * WY)
#define PAD 4
#define LDA (BM + PAD)
#define LDB (BN + PAD)
#define A_LOADS (BM * BK / WG)
#define B_LOADS (BK * BN / WG)

// Element e of the A slice: (mm, kk); consecutive items take consecutive k when A's rows are
// contiguous (a_kfast), consecutive m otherwise, so global reads coalesce either way.
#define A_MM(e) (a_kfast ? (e) / BK : (e) % BM)
#define A_KK(e) (a_kfast ? (e) % BK : (e) / BM)
#define B_KK(e) (b_nfast ? (e) / BN : (e) % BK)
#define B_NN(e) (b_nfast ? (e) % BN : (e) / BK)

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

    for (long z = get_group_id(2); z < batches; z += get_num_groups(2)) {
        global const A_T *ap = a + element_at(&batch, &va, z);
        global const A_T *bp = b + element_at(&batch, &vb, z);
        ACC acc[TM][TN];
        for (int i = 0; i < TM; i++) {
            for (int j = 0; j < TN; j++) {
                acc[i][j] = 0;
            }
        }
        ACC a_next[A_LOADS];
        ACC b_next[B_LOADS];

        // Reads slice k0 into a_next / b_next; zeros outside the matrices.
#define FETCH(k0)                                                                                   \
        {                                                                                           \
            const bool full = inside && (k0) + BK <= K;                                             \
            for (int l = 0; l < A_LOADS; l++) {                                                     \
                const int e = tid + l * WG;                                                         \
                const int m = m0 + A_MM(e);                                                         \
                const int k = (k0) + A_KK(e);                                                       \
                a_next[l] = full || (m < M && k < K) ? LOAD(A, ap, m * a_rs + k * a_cs) : (ACC) 0;  \
            }                                                                                       \
            for (int l = 0; l < B_LOADS; l++) {                                                     \
                const int e = tid + l * WG;                                                         \
                const int k = (k0) + B_KK(e);                                                       \
                const int n = n0 + B_NN(e);                                                         \
                b_next[l] = full || (k < K && n < N) ? LOAD(A, bp, k * b_rs + n * b_cs) : (ACC) 0;  \
            }                                                                                       \
        }
#define STAGE()                                                                                     \
        {                                                                                           \
            for (int l = 0; l < A_LOADS; l++) {                                                     \
                const int e = tid + l * WG;                                                         \
                a_tile[A_KK(e) * LDA + A_MM(e)] = a_next[l];                                        \
            }                                                                                       \
            for (int l = 0; l < B_LOADS; l++) {                                                     \
                const int e = tid + l * WG;                                                         \
                b_tile[B_KK(e) * LDB + B_NN(e)] = b_next[l];                                        \
            }                                                                                       \
        }

        FETCH(0);
        STAGE();
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int s = 0; s < slices; s++) {
            if (s + 1 < slices) {
                FETCH((s + 1) * BK);
            }
#if UNROLL_K
#pragma unroll
#endif
            for (int kk = 0; kk < BK; kk++) {
                ACC4 ar[TM / 4];
                ACC4 br[TN / 4];
                for (int i = 0; i < TM / 4; i++) {
                    ar[i] = a_tile4[(kk * LDA + i * WY * 4 + ty * 4) / 4];
                }
                for (int j = 0; j < TN / 4; j++) {
                    br[j] = b_tile4[(kk * LDB + j * WX * 4 + tx * 4) / 4];
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
