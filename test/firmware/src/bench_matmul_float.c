/* 40x40 single-precision matrix multiply (FPv4-SP: VMUL/VADD or VFMA), result hashed bit-exactly. */
#include "bench.h"

#ifndef ITER
#define ITER 750
#endif
#define N 40

static float A[N][N], B[N][N], C[N][N];

static uint32_t bits(float f)
{
    union { float f; uint32_t u; } u = {f};
    return u.u;
}

int main(void)
{
    uint32_t seed = 0xF10A7001;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            A[i][j] = (float)((int32_t)(xorshift32(&seed) % 2001) - 1000) / 1000.0f;
            B[i][j] = (float)((int32_t)(xorshift32(&seed) % 2001) - 1000) / 1000.0f;
        }
    uint32_t sum = 0;
    for (int it = 0; it < ITER; it++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                float s = 0.0f;
                for (int k = 0; k < N; k++) s += A[i][k] * B[k][j];
                C[i][j] = s;
            }
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                sum = (sum * 33u) ^ bits(C[i][j]);
                /* Keep magnitudes bounded: scale back into [-1, 1]. */
                A[i][j] = C[i][j] / (1.0f + (C[i][j] < 0 ? -C[i][j] : C[i][j]));
            }
    }
    return bench_done("bench_matmul_float", sum);
}
