package dev.tessera.tensor.cpu;

import static dev.tessera.tensor.cpu.GemmKernel.MR;
import static dev.tessera.tensor.cpu.GemmKernel.NR;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The float path of {@link Gemm}: the cache-blocked loop nest over one region of C. For each
 * block of NC columns and KC values of k, B's block is packed once and stays in L2; for each block
 * of MC rows, A's block is packed; then each A micro-panel (MR x KC, 6 KiB) stays in L1 while the
 * kernel sweeps it across the B micro-panels. Tiles cut by the region's edge go through a small
 * scratch tile, so the kernel itself only ever handles full tiles.
 */
final class GemmFloat {
    /** Depth of a packed block: the A micro-panel is MR x KC floats (6 KiB), well inside L1. */
    static final int KC = 256;
    /** Rows of a packed A block (120 x 256 floats, 120 KiB with 16 lanes). */
    static final int MC = 20 * MR;
    /** Columns of a packed B block (KC x 512 floats, 512 KiB with 16 lanes): half of a 1 MiB L2. */
    static final int NC = 16 * NR;

    /** Packing buffers, one set per thread, allocated once: big allocations per call would page-fault. */
    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private static final class Workspace {
        final float[] a = new float[MC * KC];
        final float[] b = new float[KC * NC];
        /** Runs of k from source rows or columns on their way into a panel: one, or a whole B panel's NR. */
        final float[] run = new float[NR * KC];
        final MemorySegment tile = Arena.ofAuto().allocate((long) MR * NR * Float.BYTES, 64);
    }

    private GemmFloat() {}

    /** Computes rows {@code [i0, i1)} x columns {@code [j0, j1)} of product {@code batch}; k must be positive. */
    static void region(GemmJob job, long batch, long i0, long i1, long j0, long j1) {
        Workspace ws = WORKSPACE.get();
        long aBase = job.a().base(batch);
        long bBase = job.b().base(batch);
        long rowBytes = job.n() * Float.BYTES;
        long k = job.k();
        for (long jc = j0; jc < j1; jc += NC) {
            int nc = (int) Math.min(NC, j1 - jc);
            for (long pc = 0; pc < k; pc += KC) {
                int kc = (int) Math.min(KC, k - pc);
                boolean accumulate = pc > 0;
                GemmPacking.packB(job.b(), bBase, pc, kc, jc, nc, ws.b, ws.run);
                for (long ic = i0; ic < i1; ic += MC) {
                    int mc = (int) Math.min(MC, i1 - ic);
                    GemmPacking.packA(job.a(), aBase, ic, mc, pc, kc, ws.a, ws.run);
                    for (int ir = 0; ir < mc; ir += MR) {
                        int rows = Math.min(MR, mc - ir);
                        long rowAt = job.cRow(batch, ic + ir) + jc;
                        for (int jr = 0; jr < nc; jr += NR) {
                            int cols = Math.min(NR, nc - jr);
                            long cAt = (rowAt + jr) * Float.BYTES;
                            if (rows == MR && cols == NR) {
                                GemmKernel.tile(kc, ws.a, ir * kc, ws.b, jr * kc, job.c(), cAt, rowBytes, accumulate);
                            } else {
                                edgeTile(ws, kc, ir * kc, jr * kc, job.c(), cAt, rowBytes, rows, cols, accumulate);
                            }
                        }
                    }
                }
            }
        }
    }

    /** A partial tile: the kernel runs on the scratch tile, and only the {@code rows x cols} corner moves to and from C. */
    private static void edgeTile(Workspace ws, int kc, int aAt, int bAt, MemorySegment c, long cAt, long rowBytes,
                                 int rows, int cols, boolean accumulate) {
        long tileRowBytes = (long) NR * Float.BYTES;
        long bytes = (long) cols * Float.BYTES;
        if (accumulate) {
            for (int r = 0; r < rows; r++) {
                MemorySegment.copy(c, cAt + r * rowBytes, ws.tile, r * tileRowBytes, bytes);
            }
        }
        GemmKernel.tile(kc, ws.a, aAt, ws.b, bAt, ws.tile, 0, tileRowBytes, accumulate);
        for (int r = 0; r < rows; r++) {
            MemorySegment.copy(ws.tile, r * tileRowBytes, c, cAt + r * rowBytes, bytes);
        }
    }
}
