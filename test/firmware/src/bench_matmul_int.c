/* 48x48 int32 matrix multiply, repeated; the product feeds back into the next round. */
#include "bench.h"

#ifndef ITER
#define ITER 1300
#endif
#define N 48

static int32_t A[N][N], B[N][N], C[N][N];

int main(void)
{
    uint32_t seed = 0xC0FFEE01;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            A[i][j] = (int32_t)(xorshift32(&seed) % 201) - 100;
            B[i][j] = (int32_t)(xorshift32(&seed) % 201) - 100;
        }
    uint32_t sum = 0;
    for (int it = 0; it < ITER; it++) {
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                int32_t s = 0;
                for (int k = 0; k < N; k++) s += A[i][k] * B[k][j];
                C[i][j] = s;
            }
        for (int i = 0; i < N; i++)
            for (int j = 0; j < N; j++) {
                sum = (sum * 31u) ^ (uint32_t)C[i][j];
                A[i][j] = (C[i][j] >> 8) % 101;
            }
    }
    return bench_done("bench_matmul_int", sum);
}
