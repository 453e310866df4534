/* The FMA-bound ceiling's C side (built by cpu_kernels.py with gcc -O3 -march=native, loaded with
 * ctypes): each of `threads` threads runs CHAINS independent chains of acc = acc * a + b over 16
 * float lanes, which the compiler contracts to one FMA each; no memory traffic. Tessera's side is
 * FmaCeiling.java, with the same chains: the results agree bit for bit. */
#include <pthread.h>
#include <string.h>

#define CHAINS 12
typedef float v16 __attribute__((vector_size(64)));

struct job {
    const float *start;
    float a, b;
    long iterations;
    float out[CHAINS * 16];
};

static void *chains(void *arg) {
    struct job *job = arg;
    v16 acc[CHAINS];
    memcpy(acc, job->start, sizeof acc);
    v16 a = {0}, b = {0};
    a += job->a;
    b += job->b;
    for (long i = 0; i < job->iterations; i++) {
        for (int c = 0; c < CHAINS; c++) {
            acc[c] = acc[c] * a + b;
        }
    }
    memcpy(job->out, acc, sizeof acc);
    return NULL;
}

/* Runs the chains on `threads` threads; writes thread 0's final values (CHAINS x 16) to out. */
int fma_chains(const float *start, float a, float b, long iterations, int threads, float *out) {
    struct job jobs[threads];
    pthread_t ids[threads];
    for (int t = 0; t < threads; t++) {
        jobs[t] = (struct job){.start = start, .a = a, .b = b, .iterations = iterations};
        if (pthread_create(&ids[t], NULL, chains, &jobs[t]) != 0) {
            return -1;
        }
    }
    for (int t = 0; t < threads; t++) {
        pthread_join(ids[t], NULL);
    }
    memcpy(out, jobs[0].out, sizeof jobs[0].out);
    return 0;
}
