/* Q15 FIR filter with SMLAD (dual 16-bit MAC), SSAT/QADD16 saturation, and a Q31 biquad with SMMLA. */
#include "bench.h"

#ifndef ITER
#define ITER 4000
#endif
#define NS 2048
#define NT 32

static int16_t x[NS + NT], h[NT], y[NS];
static int32_t yq[NS];

static inline int32_t smlad(uint32_t a, uint32_t b, int32_t acc)
{
    int32_t r;
    __asm("smlad %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
}

static inline int32_t ssat16(int32_t v)
{
    int32_t r;
    __asm("ssat %0, #16, %1" : "=r"(r) : "r"(v));
    return r;
}

static inline uint32_t qadd16(uint32_t a, uint32_t b)
{
    uint32_t r;
    __asm("qadd16 %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}

static inline int32_t smmla(int32_t a, int32_t b, int32_t acc)
{
    int32_t r;
    __asm("smmla %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(acc));
    return r;
}

int main(void)
{
    uint32_t seed = 0xD5B0D5B0;
    for (int i = 0; i < NS + NT; i++) x[i] = (int16_t)(xorshift32(&seed) >> 16);
    for (int i = 0; i < NT; i++) h[i] = (int16_t)((xorshift32(&seed) >> 20) - 2048);

    uint32_t sum = 0;
    for (int it = 0; it < ITER; it++) {
        for (int n = 0; n < NS; n++) {
            const uint32_t *xp = (const uint32_t *)&x[n & ~1];
            const uint32_t *hp = (const uint32_t *)h;
            int32_t acc = 0;
            for (int k = 0; k < NT / 2; k++) acc = smlad(xp[k], hp[k], acc);
            y[n] = (int16_t)ssat16(acc >> 15);
        }
        /* Biquad on Q31 with SMMLA (most significant word multiply accumulate). */
        int32_t s1 = 0, s2 = 0;
        const int32_t b0 = 0x20000000, b1 = 0x40000000, a1 = -0x30000000, a2 = 0x10000000;
        for (int n = 0; n < NS; n++) {
            int32_t in = (int32_t)y[n] << 16;
            int32_t out = smmla(b0, in, s1);
            s1 = smmla(b1, in, smmla(-a1, out, s2));
            s2 = smmla(-a2, out, 0);
            yq[n] = out;
        }
        for (int n = 0; n < NS; n += 2) {
            uint32_t pair = qadd16(*(uint32_t *)&y[n], *(uint32_t *)&x[n]);
            sum = (sum << 5 | sum >> 27) ^ pair ^ (uint32_t)yq[n];
        }
        x[it % NS] = y[(it * 7) % NS];
    }
    return bench_done("bench_dsp", sum);
}
