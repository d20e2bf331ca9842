/* Shared pieces of the CPU-bound benchmark programs: a deterministic PRNG and the result line. */
#ifndef BENCH_H
#define BENCH_H
#include "rt.h"

static inline uint32_t xorshift32(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

static inline int bench_done(const char *name, uint32_t checksum)
{
    print("%s checksum=%08x\n", name, checksum);
    return 0;
}
#endif
