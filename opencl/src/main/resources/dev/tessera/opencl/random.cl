// random.cl: the Philox 4x32-10 streams of dev.tessera.tensor.Generator, element for element.
// Each work item computes the block its element reads (blocks are independent: counter-based).

// Philox 4x32-10 of the counter (lo32(n), hi32(n), 0, 0) under the key (k0, k1).
inline uint4 philox_block(ulong n, uint k0, uint k1) {
    uint c0 = (uint) n, c1 = (uint) (n >> 32), c2 = 0, c3 = 0;
    for (int round = 0; round < 10; round++) {
        ulong p0 = (ulong) 0xD2511F53u * c0;
        ulong p1 = (ulong) 0xCD9E8D57u * c2;
        uint n0 = (uint) (p1 >> 32) ^ c1 ^ k0;
        uint n1 = (uint) p1;
        uint n2 = (uint) (p0 >> 32) ^ c3 ^ k1;
        uint n3 = (uint) p0;
        c0 = n0;
        c1 = n1;
        c2 = n2;
        c3 = n3;
        k0 += 0x9E3779B9u;
        k1 += 0xBB67AE85u;
    }
    return (uint4) (c0, c1, c2, c3);
}

inline uint word_of(uint4 w, long j) {
    return j == 0 ? w.s0 : j == 1 ? w.s1 : j == 2 ? w.s2 : w.s3;
}

kernel void uniform(global float *out, const long count, const ulong start, const uint k0, const uint k1) {
    FOR_EACH(i, count) {
        uint4 w = philox_block(start + i / 4, k0, k1);
        out[i] = (float) (word_of(w, i % 4) >> 8) * 0x1p-24f;
    }
}

// Box-Muller in double from the word pair (w0, w1) for even i, (w2, w3) for odd i.
kernel void normal(global float *out, const long count, const ulong start, const uint k0, const uint k1) {
    FOR_EACH(i, count) {
        uint4 w = philox_block(start + i / 2, k0, k1);
        uint first = i % 2 == 0 ? w.s0 : w.s2;
        uint second = i % 2 == 0 ? w.s1 : w.s3;
        double u1 = ((double) first + 1) * 0x1p-32;
        double u2 = (double) second * 0x1p-32;
        out[i] = (float) (sqrt(-2 * log(u1)) * cos(2 * M_PI * u2));
    }
}

kernel void integers(global long *out, const long count, const ulong start, const uint k0, const uint k1,
        const long low, const ulong range) {
    FOR_EACH(i, count) {
        uint4 w = philox_block(start + i / 2, k0, k1);
        ulong bits = i % 2 == 0 ? ((ulong) w.s0 << 32 | w.s1) : ((ulong) w.s2 << 32 | w.s3);
        out[i] = low + (long) (bits % range);
    }
}
