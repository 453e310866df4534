// indexing.cl: the index check shared by the indexing and MoE ops, the gathers (gather,
// index_select) and the accumulations by index (scatter_add, index_add). Operands: IDX the index
// (I32 or I64), X the data (any dtype; OUT for the accumulations, whose src has out's dtype).

#ifdef IDX_KIND
// Sets *bad when an entry of the index view lies outside [lo, hi). Which entry is first is the
// host's to find (only on this error path), so a plain store of 1 is enough: no atomics.
kernel void check_range(global const IDX_T *index, const view_t vi, const shape_t s, const long lo, const long hi,
        global int *bad) {
    FOR_EACH(i, s.numel) {
        long v = index[element_at(&s, &vi, i)];
        if (v < lo || v >= hi) {
            *bad = 1;
        }
    }
}
#endif

#if defined(IDX_KIND) && defined(X_KIND)
// out[i] = x[base_i + index[i] * x_dim_stride] over out's row-major order: vx is x's view with the
// indexed dim stepping 0 (base_i), vi the index's view over out's shape (for index_select, stride 0
// outside the indexed dim). A raw copy of the storage type: exact for every dtype.
kernel void take(global const X_T *x, const view_t vx, const long x_dim_stride, global const IDX_T *index,
        const view_t vi, global X_T *out, const view_t vo, const shape_t s) {
    FOR_EACH(i, s.numel) {
        long picked = index[element_at(&s, &vi, i)];
        out[element_at(&s, &vo, i)] = x[element_at(&s, &vx, i) + picked * x_dim_stride];
    }
}
#endif

#if defined(IDX_KIND) && defined(OUT_KIND)
// out[c, index[c, j]] += src[c, j] for j = 0 .. length-1 in order, for every column c (the index's
// shape without the indexed dim; for index_add the index view steps 0 across columns). Work item
// (c, g) owns column c's targets in [g*targets/groups, (g+1)*targets/groups): every output element
// has one owner, which adds its terms in increasing j, rounding to OUT after each add, as the
// reference does. Deterministic without atomics; `groups` trades index rereads for parallelism.
kernel void accumulate(global const OUT_T *src, const view_t vs, const long src_dim_stride,
        global const IDX_T *index, const view_t vi, const long index_dim_stride,
        global OUT_T *out, const view_t vo, const long out_dim_stride, const shape_t s,
        const long length, const long targets, const long groups) {
    FOR_EACH(item, s.numel * groups) {
        long c = item % s.numel;
        long g = item / s.numel;
        long lo = g * targets / groups;
        long hi = (g + 1) * targets / groups;
        long src_at = element_at(&s, &vs, c);
        long index_at = element_at(&s, &vi, c);
        long out_at = element_at(&s, &vo, c);
        for (long j = 0; j < length; j++) {
            long target = index[index_at + j * index_dim_stride];
            if (target >= lo && target < hi) {
                long o = out_at + target * out_dim_stride;
                long from = src_at + j * src_dim_stride;
                // In OUT's compute type. A float sum of two BF16/F16/F32 values is their exact sum
                // rounded to float, as the reference's double sum is before its store rounds it to
                // OUT: the same bits. Integers add exactly and wrap on the store, as the reference.
                STORE(OUT, out, o, LOAD(OUT, out, o) + LOAD(OUT, src, from));
            }
        }
    }
}
#endif
