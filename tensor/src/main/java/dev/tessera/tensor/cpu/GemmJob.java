package dev.tessera.tensor.cpu;

import java.lang.foreign.MemorySegment;

/**
 * One matmul as the GEMM paths see it: {@code batches} products of an m x k matrix of {@code a}
 * by a k x n matrix of {@code b}; product {@code batch} goes to the contiguous row-major m x n
 * block of {@code c} starting at element {@code cOffset + batch * m * n} (floats for the float
 * path, doubles for the double path).
 */
record GemmJob(GemmOperand a, GemmOperand b, long batches, long m, long n, long k, MemorySegment c, long cOffset) {
    /** The element offset of C's row {@code i} of product {@code batch}. */
    long cRow(long batch, long i) {
        return cOffset + (batch * m + i) * n;
    }
}
