// elementwise.cl: fill, copy (casts included), unary and binary ops, comparisons, where, clamp.
// Every kernel walks the row-major order of its shape with FOR_EACH and finds each operand's
// element through its view, so any strides (broadcast: 0) work. Operands: X or A, B in; OUT out.

#define U_NEG 0
#define U_ABS 1
#define U_EXP 2
#define U_LOG 3
#define U_SQRT 4
#define U_RSQRT 5
#define U_SIN 6
#define U_COS 7
#define U_TANH 8
#define U_SIGMOID 9
#define U_RELU 10
#define U_SILU 11
#define U_GELU_TANH 12
#define U_GELU_ERF 13
#define U_RECIPROCAL 14
#define U_SQUARE 15

#define B_ADD 0
#define B_SUB 1
#define B_MUL 2
#define B_DIV 3
#define B_POW 4
#define B_MAXIMUM 5
#define B_MINIMUM 6

#define C_EQ 0
#define C_NE 1
#define C_LT 2
#define C_LE 3
#define C_GT 4
#define C_GE 5

#ifdef OUT_KIND
kernel void fill(global OUT_T *out, const view_t vo, const shape_t s, const double value) {
    FOR_EACH(i, s.numel) {
        CONVERT(OUT, out, element_at(&s, &vo, i), value);
    }
}
#endif

#if defined(X_KIND) && defined(OUT_KIND)
kernel void copy(global const X_T *x, const view_t vx, global OUT_T *out, const view_t vo, const shape_t s) {
    FOR_EACH(i, s.numel) {
#if X_FLOAT
        CONVERT(OUT, out, element_at(&s, &vo, i), (double) LOAD(X, x, element_at(&s, &vx, i)));
#else
        CONVERTL(OUT, out, element_at(&s, &vo, i), LOAD(X, x, element_at(&s, &vx, i)));
#endif
    }
}
#endif

#if defined(X_KIND) && X_FLOAT
// 1 / (1 + e^-x), written so that e^|x| never overflows.
inline X_ACC sigmoid_of(X_ACC x) {
    if (x >= 0) {
        return 1 / (1 + exp(-x));
    }
    X_ACC e = exp(x);
    return e / (1 + e);
}

inline X_ACC unary_float(int op, X_ACC x) {
    switch (op) {
        case U_NEG: return -x;
        case U_ABS: return fabs(x);
        case U_EXP: return exp(x);
        case U_LOG: return log(x);
        case U_SQRT: return sqrt(x);
        case U_RSQRT: return 1 / sqrt(x);
        case U_SIN: return sin(x);
        case U_COS: return cos(x);
        case U_TANH: return tanh(x);
        case U_SIGMOID: return sigmoid_of(x);
        case U_RELU: return x > 0 || isnan(x) ? x : 0;
        case U_SILU: return x * sigmoid_of(x);
        case U_GELU_TANH: return (X_ACC) 0.5 * x * (1 + tanh((X_ACC) 0.7978845608028654 * (x + (X_ACC) 0.044715 * x * x * x)));
        case U_GELU_ERF: return (X_ACC) 0.5 * x * erfc(-x * (X_ACC) 0.7071067811865476);
        case U_RECIPROCAL: return 1 / x;
        default: return x * x; // U_SQUARE
    }
}

kernel void unary(global const X_T *x, const view_t vx, global X_T *out, const view_t vo, const shape_t s, const int op) {
    FOR_EACH(i, s.numel) {
        STORE(X, out, element_at(&s, &vo, i), unary_float(op, LOAD(X, x, element_at(&s, &vx, i))));
    }
}
#elif defined(X_KIND)
inline long unary_integer(int op, long x) {
    switch (op) {
        case U_NEG: return -x;
        case U_ABS: return x < 0 ? -x : x;
        case U_RELU: return x > 0 ? x : 0;
        default: return x * x; // U_SQUARE
    }
}

kernel void unary(global const X_T *x, const view_t vx, global X_T *out, const view_t vo, const shape_t s, const int op) {
    FOR_EACH(i, s.numel) {
        STORE(X, out, element_at(&s, &vo, i), unary_integer(op, LOAD(X, x, element_at(&s, &vx, i))));
    }
}
#endif

#if defined(A_KIND) && A_FLOAT
inline A_ACC binary_op(int op, A_ACC a, A_ACC b, global int *error) {
    switch (op) {
        case B_ADD: return a + b;
        case B_SUB: return a - b;
        case B_MUL: return a * b;
        case B_DIV: return a / b;
        case B_POW: return pow(a, b);
        case B_MAXIMUM: return jmax(a, b);
        default: return jmin(a, b); // B_MINIMUM
    }
}
#elif defined(A_KIND)
inline long ipow(long base, long exponent) {
    if (exponent < 0) {
        return base == 1 ? 1 : base == -1 ? (exponent % 2 == 0 ? 1 : -1) : 0;
    }
    long result = 1;
    while (exponent > 0) {
        if (exponent & 1) result *= base;
        base *= base;
        exponent >>= 1;
    }
    return result;
}

inline long binary_op(int op, long a, long b, global int *error) {
    switch (op) {
        case B_ADD: return a + b;
        case B_SUB: return a - b;
        case B_MUL: return a * b;
        case B_DIV:
            if (b == 0) {
                *error = 1; // the host throws: integer division by zero
                return 0;
            }
            return a == LONG_MIN && b == -1 ? a : a / b;
        case B_POW: return ipow(a, b);
        case B_MAXIMUM: return a > b ? a : b;
        default: return a < b ? a : b; // B_MINIMUM
    }
}
#endif

#ifdef A_KIND
kernel void binary(global const A_T *a, const view_t va, global const A_T *b, const view_t vb,
        global A_T *out, const view_t vo, const shape_t s, const int op, global int *error) {
    FOR_EACH(i, s.numel) {
        A_ACC x = LOAD(A, a, element_at(&s, &va, i));
        A_ACC y = LOAD(A, b, element_at(&s, &vb, i));
        STORE(A, out, element_at(&s, &vo, i), binary_op(op, x, y, error));
    }
}

kernel void compare(global const A_T *a, const view_t va, global const A_T *b, const view_t vb,
        global uchar *out, const view_t vo, const shape_t s, const int op) {
    FOR_EACH(i, s.numel) {
        A_ACC x = LOAD(A, a, element_at(&s, &va, i));
        A_ACC y = LOAD(A, b, element_at(&s, &vb, i));
        int r;
        switch (op) {
            case C_EQ: r = x == y; break;
            case C_NE: r = x != y; break;
            case C_LT: r = x < y; break;
            case C_LE: r = x <= y; break;
            case C_GT: r = x > y; break;
            default: r = x >= y; break;
        }
        out[element_at(&s, &vo, i)] = (uchar) r;
    }
}

// where and clamp: "select" and "clamp" are OpenCL built-ins, hence the names.
kernel void pick(global const uchar *cond, const view_t vc, global const A_T *a, const view_t va,
        global const A_T *b, const view_t vb, global A_T *out, const view_t vo, const shape_t s) {
    FOR_EACH(i, s.numel) {
        long o = element_at(&s, &vo, i);
        out[o] = cond[element_at(&s, &vc, i)] ? a[element_at(&s, &va, i)] : b[element_at(&s, &vb, i)];
    }
}

kernel void clamp_values(global const A_T *x, const view_t vx, global A_T *out, const view_t vo, const shape_t s,
        const double lo, const double hi, const long lo_integer, const long hi_integer) {
    FOR_EACH(i, s.numel) {
        long o = element_at(&s, &vo, i);
#if A_FLOAT
        CONVERT(A, out, o, jmin(jmax((double) LOAD(A, x, element_at(&s, &vx, i)), lo), hi));
#else
        long v = LOAD(A, x, element_at(&s, &vx, i));
        long above = v > lo_integer ? v : lo_integer;
        STORE(A, out, o, above < hi_integer ? above : hi_integer); // min(max(v, lo), hi), as the reference
#endif
    }
}
#endif
