// common.cl: prepended to every kernel family. Index maps of strided views, and the load, store
// and conversion functions of every dtype (build options from ClTypes pick them per operand).
#pragma OPENCL EXTENSION cl_khr_fp64 : enable

#define MAX_RANK 8

// The shape every operand of a launch shares, after KernelLayout coalesced its dims.
typedef struct { int rank; int unused; long numel; long size[MAX_RANK]; } shape_t;
// One operand's view of that shape: where element 0 sits and the step per dim, in elements.
typedef struct { long offset; long stride[MAX_RANK]; } view_t;

// The storage index of the i-th element, in row-major order, of a view.
inline long element_at(const shape_t *s, const view_t *v, long i) {
    if (s->rank == 1) {
        return v->offset + i * v->stride[0];
    }
    long at = v->offset;
    for (int d = s->rank - 1; d >= 0; d--) {
        long n = s->size[d];
        at += (i % n) * v->stride[d];
        i /= n;
    }
    return at;
}

// Loads return the type an operand computes in: float, double or long.
inline float ld_F32(global const float *p, long i) { return p[i]; }
inline double ld_F64(global const double *p, long i) { return p[i]; }
inline float ld_BF16(global const ushort *p, long i) { return as_float(((uint) p[i]) << 16); }
inline float ld_F16(global const ushort *p, long i) { return vload_half(i, (global const half *) p); }
inline long ld_I32(global const int *p, long i) { return p[i]; }
inline long ld_I64(global const long *p, long i) { return p[i]; }
inline long ld_BOOL(global const uchar *p, long i) { return p[i]; }

// Round to nearest even; NaN stays a quiet NaN with its sign (HalfFloats.floatToBf16).
inline ushort bf16_bits(float v) {
    uint bits = as_uint(v);
    if (isnan(v)) {
        return (ushort) ((bits >> 16) | 0x0040);
    }
    return (ushort) ((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
}

// Stores take the operand's compute type (a double rounds to float first, as a cast does).
inline void st_F32(global float *p, long i, float v) { p[i] = v; }
inline void st_F64(global double *p, long i, double v) { p[i] = v; }
inline void st_BF16(global ushort *p, long i, float v) { p[i] = bf16_bits(v); }
inline void st_F16(global ushort *p, long i, float v) { vstore_half_rte(v, i, (global half *) p); }
inline void st_I32(global int *p, long i, long v) { p[i] = (int) v; }
inline void st_I64(global long *p, long i, long v) { p[i] = v; }
inline void st_BOOL(global uchar *p, long i, long v) { p[i] = v != 0; }

// Casts as DType.write (from a float value) and DType.writeLong (from an integer) do: floats to
// integers truncate and saturate (NaN to 0), integers to floats round once, to BOOL is "non-zero".
inline void cvt_F32(global float *p, long i, double v) { p[i] = (float) v; }
inline void cvt_F64(global double *p, long i, double v) { p[i] = v; }
inline void cvt_BF16(global ushort *p, long i, double v) { p[i] = bf16_bits((float) v); }
inline void cvt_F16(global ushort *p, long i, double v) { vstore_half_rte((float) v, i, (global half *) p); }
// isnan first: NVIDIA's saturating conversions give the type's minimum for NaN, where Java gives 0.
inline void cvt_I32(global int *p, long i, double v) { p[i] = isnan(v) ? 0 : convert_int_sat_rtz(v); }
inline void cvt_I64(global long *p, long i, double v) { p[i] = isnan(v) ? 0 : convert_long_sat_rtz(v); }
inline void cvt_BOOL(global uchar *p, long i, double v) { p[i] = v != 0; }
inline void cvtl_F32(global float *p, long i, long v) { p[i] = convert_float_rte(v); }
inline void cvtl_F64(global double *p, long i, long v) { p[i] = convert_double_rte(v); }
inline void cvtl_BF16(global ushort *p, long i, long v) { p[i] = bf16_bits(convert_float_rte(v)); }
inline void cvtl_F16(global ushort *p, long i, long v) { vstore_half_rte(convert_float_rte(v), i, (global half *) p); }
inline void cvtl_I32(global int *p, long i, long v) { p[i] = (int) v; }
inline void cvtl_I64(global long *p, long i, long v) { p[i] = v; }
inline void cvtl_BOOL(global uchar *p, long i, long v) { p[i] = v != 0; }

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
// LOAD(X, p, i) and STORE(X, p, i, v) for an operand X typed by ClTypes.operand("X", dtype).
#define LOAD(X, p, i) CAT(ld_, X##_KIND)(p, i)
#define STORE(X, p, i, v) CAT(st_, X##_KIND)(p, i, v)
// CONVERT(X, p, i, v): a cast store of a double (CONVERT) or a long (CONVERTL) into operand X.
#define CONVERT(X, p, i, v) CAT(cvt_, X##_KIND)(p, i, v)
#define CONVERTL(X, p, i, v) CAT(cvtl_, X##_KIND)(p, i, v)

// Java's Math.max / Math.min: NaN wins, and +0 is above -0.
inline double jmax(double a, double b) {
    if (isnan(a)) return a;
    if (isnan(b)) return b;
    if (a == 0 && b == 0) return signbit(a) ? b : a;
    return a >= b ? a : b;
}
inline double jmin(double a, double b) {
    if (isnan(a)) return a;
    if (isnan(b)) return b;
    if (a == 0 && b == 0) return signbit(a) ? a : b;
    return a <= b ? a : b;
}
inline float jmaxf(float a, float b) {
    if (isnan(a)) return a;
    if (isnan(b)) return b;
    if (a == 0 && b == 0) return signbit(a) ? b : a;
    return a >= b ? a : b;
}
inline float jminf(float a, float b) {
    if (isnan(a)) return a;
    if (isnan(b)) return b;
    if (a == 0 && b == 0) return signbit(a) ? a : b;
    return a <= b ? a : b;
}

// A grid-stride loop over n elements: any global size covers any n.
#define FOR_EACH(i, n) for (long i = get_global_id(0); i < (n); i += get_global_size(0))
