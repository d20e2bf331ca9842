/* Sorting 8192 pseudo-random words: quicksort (median of three) then a heapsort check, repeated. */
#include "bench.h"

#ifndef ITER
#define ITER 350
#endif
#define N 8192

static uint32_t a[N];

static void quicksort(uint32_t *v, int lo, int hi)
{
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (v[mid] < v[lo]) { uint32_t t = v[mid]; v[mid] = v[lo]; v[lo] = t; }
        if (v[hi] < v[lo]) { uint32_t t = v[hi]; v[hi] = v[lo]; v[lo] = t; }
        if (v[hi] < v[mid]) { uint32_t t = v[hi]; v[hi] = v[mid]; v[mid] = t; }
        uint32_t p = v[mid];
        int i = lo, j = hi;
        while (i <= j) {
            while (v[i] < p) i++;
            while (v[j] > p) j--;
            if (i <= j) {
                uint32_t t = v[i]; v[i] = v[j]; v[j] = t;
                i++;
                j--;
            }
        }
        if (j - lo < hi - i) {
            quicksort(v, lo, j);
            lo = i;
        } else {
            quicksort(v, i, hi);
            hi = j;
        }
    }
}

static void sift(uint32_t *v, int start, int end)
{
    int root = start;
    while (2 * root + 1 <= end) {
        int child = 2 * root + 1;
        if (child + 1 <= end && v[child] < v[child + 1]) child++;
        if (v[root] < v[child]) {
            uint32_t t = v[root]; v[root] = v[child]; v[child] = t;
            root = child;
        } else {
            return;
        }
    }
}

static void heapsort(uint32_t *v, int n)
{
    for (int s = (n - 2) / 2; s >= 0; s--) sift(v, s, n - 1);
    for (int e = n - 1; e > 0; e--) {
        uint32_t t = v[e]; v[e] = v[0]; v[0] = t;
        sift(v, 0, e - 1);
    }
}

int main(void)
{
    uint32_t seed = 0x5047C0DE, sum = 0;
    for (int it = 0; it < ITER; it++) {
        for (int i = 0; i < N; i++) a[i] = xorshift32(&seed) % 100000u;
        if (it & 1) heapsort(a, N);
        else quicksort(a, 0, N - 1);
        for (int i = 1; i < N; i++)
            if (a[i - 1] > a[i]) return bench_done("bench_sort UNSORTED", (uint32_t)i);
        for (int i = 0; i < N; i += 97) sum = sum * 17u + a[i];
    }
    return bench_done("bench_sort", sum);
}
