package dev.tessera.tensor.cpu;

import static dev.tessera.tensor.cpu.Simd.F;
import static dev.tessera.tensor.cpu.Simd.LANES;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The block geometry and block math that the flash-attention forward and backward share: which
 * keys a query row sees, which blocks a causal pass can skip, and the three small products on
 * row-major float blocks (A B^T, A B, A^T B), register-tiled four rows by two vectors at a time
 * (eight independent accumulators, enough to keep both FMA ports busy) with the vector lanes along
 * the output's columns, and four rows by one vector for a leftover vector. Blocks are sized for
 * L1/L2: 64 query rows by 64 keys, so for head dim 128 a Q block, a K block and a V block are 32 KB
 * each.
 */
final class AttentionBlocks {
    /** Query rows per block. A multiple of 4 (the row tile). */
    static final int BR = 64;
    /** Keys per block. A multiple of 4 and of the lane count (up to 16 lanes). */
    static final int BC = 64;

    private AttentionBlocks() {}

    /** {@code n} rounded up to a multiple of the lane count: the row stride of blocks the lanes run along. */
    static int padded(int n) {
        return (n + LANES - 1) / LANES * LANES;
    }

    /** {@code n} rounded up to a multiple of 4, the row tile. */
    static int tiled(int n) {
        return (n + 3) & ~3;
    }

    static int blocks(long n, int block) {
        return (int) ((n + block - 1) / block);
    }

    /**
     * How many of the {@code cols} keys from {@code c0} query row {@code r} sees: all of them, or
     * under the causal mask (bottom-right aligned, {@code shift = Nk - Nq}) those with
     * {@code c <= r + shift}, which form a prefix of the block.
     */
    static int visible(boolean causal, long r, long shift, long c0, int cols) {
        if (!causal) {
            return cols;
        }
        return (int) Math.max(0, Math.min(cols, r + shift - c0 + 1));
    }

    /** The key blocks the query rows {@code [r0, r0 + rows)} need: all, or causally up to the last row's last visible key. */
    static int keyBlockEnd(boolean causal, long r0, int rows, long shift, long keys) {
        int all = blocks(keys, BC);
        if (!causal) {
            return all;
        }
        long lastVisible = r0 + rows - 1 + shift;
        return lastVisible < 0 ? 0 : (int) Math.min(all, lastVisible / BC + 1);
    }

    /** The first query block that sees key {@code c0}: causally the block of row {@code c0 - shift}, otherwise 0. */
    static int queryBlockStart(boolean causal, long c0, long shift, long queries) {
        if (!causal) {
            return 0;
        }
        long first = Math.max(0, c0 - shift);
        return (int) Math.min(blocks(queries, BR), first / BR);
    }

    /**
     * The block for the t-th of a head's {@code blocks} work items. Under a causal mask later query
     * blocks see more keys and earlier key blocks more queries, so items alternate between the first
     * and the last remaining block, and the contiguous ranges the threads get carry similar work.
     */
    static int balanced(int t, int blocks, boolean causal) {
        if (!causal) {
            return t;
        }
        return t % 2 == 0 ? t / 2 : blocks - 1 - t / 2;
    }

    /**
     * {@code out[i][j] = sum_t a[i][t] bt[t][j]} for {@code i < rows} (a multiple of 4), {@code t < depth},
     * {@code j < cols}; a, bt and out have row strides lda, ldb and ldo.
     */
    static void timesTransposed(float[] a, int lda, int depth, int rows, float[] bt, int ldb, int cols, float[] out, int ldo) {
        int bound = (int) Simd.bound(cols);
        int pairs = bound - bound % (2 * LANES);
        for (int i = 0; i < rows; i += 4) {
            int a0 = i * lda;
            int a1 = a0 + lda;
            int a2 = a1 + lda;
            int a3 = a2 + lda;
            for (int j = 0; j < pairs; j += 2 * LANES) {
                FloatVector s0 = FloatVector.zero(F);
                FloatVector s1 = s0;
                FloatVector s2 = s0;
                FloatVector s3 = s0;
                FloatVector u0 = s0;
                FloatVector u1 = s0;
                FloatVector u2 = s0;
                FloatVector u3 = s0;
                for (int t = 0; t < depth; t++) {
                    FloatVector b = FloatVector.fromArray(F, bt, t * ldb + j);
                    FloatVector c = FloatVector.fromArray(F, bt, t * ldb + j + LANES);
                    FloatVector x0 = FloatVector.broadcast(F, a[a0 + t]);
                    FloatVector x1 = FloatVector.broadcast(F, a[a1 + t]);
                    FloatVector x2 = FloatVector.broadcast(F, a[a2 + t]);
                    FloatVector x3 = FloatVector.broadcast(F, a[a3 + t]);
                    s0 = b.fma(x0, s0);
                    s1 = b.fma(x1, s1);
                    s2 = b.fma(x2, s2);
                    s3 = b.fma(x3, s3);
                    u0 = c.fma(x0, u0);
                    u1 = c.fma(x1, u1);
                    u2 = c.fma(x2, u2);
                    u3 = c.fma(x3, u3);
                }
                s0.intoArray(out, i * ldo + j);
                s1.intoArray(out, (i + 1) * ldo + j);
                s2.intoArray(out, (i + 2) * ldo + j);
                s3.intoArray(out, (i + 3) * ldo + j);
                u0.intoArray(out, i * ldo + j + LANES);
                u1.intoArray(out, (i + 1) * ldo + j + LANES);
                u2.intoArray(out, (i + 2) * ldo + j + LANES);
                u3.intoArray(out, (i + 3) * ldo + j + LANES);
            }
            for (int j = pairs; j < bound; j += LANES) {
                FloatVector s0 = FloatVector.zero(F);
                FloatVector s1 = s0;
                FloatVector s2 = s0;
                FloatVector s3 = s0;
                for (int t = 0; t < depth; t++) {
                    FloatVector b = FloatVector.fromArray(F, bt, t * ldb + j);
                    s0 = b.fma(FloatVector.broadcast(F, a[a0 + t]), s0);
                    s1 = b.fma(FloatVector.broadcast(F, a[a1 + t]), s1);
                    s2 = b.fma(FloatVector.broadcast(F, a[a2 + t]), s2);
                    s3 = b.fma(FloatVector.broadcast(F, a[a3 + t]), s3);
                }
                s0.intoArray(out, i * ldo + j);
                s1.intoArray(out, (i + 1) * ldo + j);
                s2.intoArray(out, (i + 2) * ldo + j);
                s3.intoArray(out, (i + 3) * ldo + j);
            }
            for (int j = bound; j < cols; j++) {
                for (int x = 0; x < 4; x++) {
                    float s = 0;
                    for (int t = 0; t < depth; t++) {
                        s = Math.fma(bt[t * ldb + j], a[a0 + x * lda + t], s);
                    }
                    out[(i + x) * ldo + j] = s;
                }
            }
        }
    }

    /**
     * {@code acc[accAt + i * ldc + e] += sum_j p[i][j] b[j][e]} for {@code i < rows} (a multiple of 4),
     * {@code j < count}, {@code e < width}; p, b and acc have row strides ldp, ldb and ldc.
     */
    static void times(float[] p, int ldp, int rows, int count, float[] b, int ldb, int width, float[] acc, int accAt,
            int ldc) {
        int bound = (int) Simd.bound(width);
        int pairs = bound - bound % (2 * LANES);
        for (int i = 0; i < rows; i += 4) {
            int p0 = i * ldp;
            int p1 = p0 + ldp;
            int p2 = p1 + ldp;
            int p3 = p2 + ldp;
            int c0 = accAt + i * ldc;
            for (int e = 0; e < pairs; e += 2 * LANES) {
                int f = e + LANES;
                FloatVector s0 = FloatVector.fromArray(F, acc, c0 + e);
                FloatVector s1 = FloatVector.fromArray(F, acc, c0 + ldc + e);
                FloatVector s2 = FloatVector.fromArray(F, acc, c0 + 2 * ldc + e);
                FloatVector s3 = FloatVector.fromArray(F, acc, c0 + 3 * ldc + e);
                FloatVector u0 = FloatVector.fromArray(F, acc, c0 + f);
                FloatVector u1 = FloatVector.fromArray(F, acc, c0 + ldc + f);
                FloatVector u2 = FloatVector.fromArray(F, acc, c0 + 2 * ldc + f);
                FloatVector u3 = FloatVector.fromArray(F, acc, c0 + 3 * ldc + f);
                for (int j = 0; j < count; j++) {
                    FloatVector v = FloatVector.fromArray(F, b, j * ldb + e);
                    FloatVector w = FloatVector.fromArray(F, b, j * ldb + f);
                    FloatVector x0 = FloatVector.broadcast(F, p[p0 + j]);
                    FloatVector x1 = FloatVector.broadcast(F, p[p1 + j]);
                    FloatVector x2 = FloatVector.broadcast(F, p[p2 + j]);
                    FloatVector x3 = FloatVector.broadcast(F, p[p3 + j]);
                    s0 = v.fma(x0, s0);
                    s1 = v.fma(x1, s1);
                    s2 = v.fma(x2, s2);
                    s3 = v.fma(x3, s3);
                    u0 = w.fma(x0, u0);
                    u1 = w.fma(x1, u1);
                    u2 = w.fma(x2, u2);
                    u3 = w.fma(x3, u3);
                }
                s0.intoArray(acc, c0 + e);
                s1.intoArray(acc, c0 + ldc + e);
                s2.intoArray(acc, c0 + 2 * ldc + e);
                s3.intoArray(acc, c0 + 3 * ldc + e);
                u0.intoArray(acc, c0 + f);
                u1.intoArray(acc, c0 + ldc + f);
                u2.intoArray(acc, c0 + 2 * ldc + f);
                u3.intoArray(acc, c0 + 3 * ldc + f);
            }
            for (int e = pairs; e < bound; e += LANES) {
                FloatVector s0 = FloatVector.fromArray(F, acc, c0 + e);
                FloatVector s1 = FloatVector.fromArray(F, acc, c0 + ldc + e);
                FloatVector s2 = FloatVector.fromArray(F, acc, c0 + 2 * ldc + e);
                FloatVector s3 = FloatVector.fromArray(F, acc, c0 + 3 * ldc + e);
                for (int j = 0; j < count; j++) {
                    FloatVector v = FloatVector.fromArray(F, b, j * ldb + e);
                    s0 = v.fma(FloatVector.broadcast(F, p[p0 + j]), s0);
                    s1 = v.fma(FloatVector.broadcast(F, p[p1 + j]), s1);
                    s2 = v.fma(FloatVector.broadcast(F, p[p2 + j]), s2);
                    s3 = v.fma(FloatVector.broadcast(F, p[p3 + j]), s3);
                }
                s0.intoArray(acc, c0 + e);
                s1.intoArray(acc, c0 + ldc + e);
                s2.intoArray(acc, c0 + 2 * ldc + e);
                s3.intoArray(acc, c0 + 3 * ldc + e);
            }
            for (int e = bound; e < width; e++) {
                for (int x = 0; x < 4; x++) {
                    float s = acc[c0 + x * ldc + e];
                    for (int j = 0; j < count; j++) {
                        s = Math.fma(b[j * ldb + e], p[p0 + x * ldp + j], s);
                    }
                    acc[c0 + x * ldc + e] = s;
                }
            }
        }
    }

    /**
     * {@code acc[j][e] += sum_i p[i][j] b[i][e]} for {@code j < cols} (a multiple of 4),
     * {@code i < rows}, {@code e < width}; p, b and acc have row strides ldp, ldb and ldc.
     */
    static void transposedTimes(float[] p, int ldp, int rows, int cols, float[] b, int ldb, int width, float[] acc, int ldc) {
        int bound = (int) Simd.bound(width);
        int pairs = bound - bound % (2 * LANES);
        for (int j = 0; j < cols; j += 4) {
            for (int e = 0; e < pairs; e += 2 * LANES) {
                int f = e + LANES;
                FloatVector s0 = FloatVector.fromArray(F, acc, j * ldc + e);
                FloatVector s1 = FloatVector.fromArray(F, acc, (j + 1) * ldc + e);
                FloatVector s2 = FloatVector.fromArray(F, acc, (j + 2) * ldc + e);
                FloatVector s3 = FloatVector.fromArray(F, acc, (j + 3) * ldc + e);
                FloatVector u0 = FloatVector.fromArray(F, acc, j * ldc + f);
                FloatVector u1 = FloatVector.fromArray(F, acc, (j + 1) * ldc + f);
                FloatVector u2 = FloatVector.fromArray(F, acc, (j + 2) * ldc + f);
                FloatVector u3 = FloatVector.fromArray(F, acc, (j + 3) * ldc + f);
                for (int i = 0; i < rows; i++) {
                    FloatVector v = FloatVector.fromArray(F, b, i * ldb + e);
                    FloatVector w = FloatVector.fromArray(F, b, i * ldb + f);
                    int pi = i * ldp + j;
                    FloatVector x0 = FloatVector.broadcast(F, p[pi]);
                    FloatVector x1 = FloatVector.broadcast(F, p[pi + 1]);
                    FloatVector x2 = FloatVector.broadcast(F, p[pi + 2]);
                    FloatVector x3 = FloatVector.broadcast(F, p[pi + 3]);
                    s0 = v.fma(x0, s0);
                    s1 = v.fma(x1, s1);
                    s2 = v.fma(x2, s2);
                    s3 = v.fma(x3, s3);
                    u0 = w.fma(x0, u0);
                    u1 = w.fma(x1, u1);
                    u2 = w.fma(x2, u2);
                    u3 = w.fma(x3, u3);
                }
                s0.intoArray(acc, j * ldc + e);
                s1.intoArray(acc, (j + 1) * ldc + e);
                s2.intoArray(acc, (j + 2) * ldc + e);
                s3.intoArray(acc, (j + 3) * ldc + e);
                u0.intoArray(acc, j * ldc + f);
                u1.intoArray(acc, (j + 1) * ldc + f);
                u2.intoArray(acc, (j + 2) * ldc + f);
                u3.intoArray(acc, (j + 3) * ldc + f);
            }
            for (int e = pairs; e < bound; e += LANES) {
                FloatVector s0 = FloatVector.fromArray(F, acc, j * ldc + e);
                FloatVector s1 = FloatVector.fromArray(F, acc, (j + 1) * ldc + e);
                FloatVector s2 = FloatVector.fromArray(F, acc, (j + 2) * ldc + e);
                FloatVector s3 = FloatVector.fromArray(F, acc, (j + 3) * ldc + e);
                for (int i = 0; i < rows; i++) {
                    FloatVector v = FloatVector.fromArray(F, b, i * ldb + e);
                    int pi = i * ldp + j;
                    s0 = v.fma(FloatVector.broadcast(F, p[pi]), s0);
                    s1 = v.fma(FloatVector.broadcast(F, p[pi + 1]), s1);
                    s2 = v.fma(FloatVector.broadcast(F, p[pi + 2]), s2);
                    s3 = v.fma(FloatVector.broadcast(F, p[pi + 3]), s3);
                }
                s0.intoArray(acc, j * ldc + e);
                s1.intoArray(acc, (j + 1) * ldc + e);
                s2.intoArray(acc, (j + 2) * ldc + e);
                s3.intoArray(acc, (j + 3) * ldc + e);
            }
            for (int e = bound; e < width; e++) {
                for (int x = 0; x < 4; x++) {
                    float s = acc[(j + x) * ldc + e];
                    for (int i = 0; i < rows; i++) {
                        s = Math.fma(b[i * ldb + e], p[i * ldp + j + x], s);
                    }
                    acc[(j + x) * ldc + e] = s;
                }
            }
        }
    }

    /** The largest of {@code s[at .. at + n)}, {@code n} a multiple of the lane count in vector mode. */
    static float rowMax(float[] s, int at, int n) {
        int bound = (int) Simd.bound(n);
        float max = Float.NEGATIVE_INFINITY;
        if (bound > 0) {
            FloatVector m = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (int j = 0; j < bound; j += LANES) {
                m = m.max(FloatVector.fromArray(F, s, at + j));
            }
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (int j = bound; j < n; j++) {
            max = Math.max(max, s[at + j]);
        }
        return max;
    }

    /** Replaces {@code s[at .. at + n)} by {@code exp(s - shift)} and returns their sum (exp(-infinity) = 0). */
    static float expShifted(float[] s, int at, int n, float shift) {
        int bound = (int) Simd.bound(n);
        float sum = 0;
        if (bound > 0) {
            FloatVector total = FloatVector.zero(F);
            for (int j = 0; j < bound; j += LANES) {
                FloatVector e = VectorMath.exp(FloatVector.fromArray(F, s, at + j).sub(shift));
                e.intoArray(s, at + j);
                total = total.add(e);
            }
            sum = Simd.addLanes(total);
        }
        for (int j = bound; j < n; j++) {
            s[at + j] = VectorMath.exp(s[at + j] - shift);
            sum += s[at + j];
        }
        return sum;
    }

    /** {@code dst[at .. at + n) += src[from .. from + n)}. */
    static void add(float[] src, int from, float[] dst, int at, int n) {
        int bound = (int) Simd.bound(n);
        for (int j = 0; j < bound; j += LANES) {
            FloatVector.fromArray(F, dst, at + j).add(FloatVector.fromArray(F, src, from + j)).intoArray(dst, at + j);
        }
        for (int j = bound; j < n; j++) {
            dst[at + j] += src[from + j];
        }
    }

    /** {@code s[at .. at + n) *= factor}. */
    static void scale(float[] s, int at, int n, float factor) {
        int bound = (int) Simd.bound(n);
        for (int j = 0; j < bound; j += LANES) {
            FloatVector.fromArray(F, s, at + j).mul(factor).intoArray(s, at + j);
        }
        for (int j = bound; j < n; j++) {
            s[at + j] *= factor;
        }
    }
}
