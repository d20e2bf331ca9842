/* CRC-32 (IEEE 802.3, reflected, table-driven) over a 16 KiB pseudo-random buffer, many passes. */
#include "bench.h"

#ifndef ITER
#define ITER 8000
#endif

static uint32_t table[256];
static uint8_t data[16384];

int main(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        table[i] = c;
    }
    uint32_t seed = 0x12345678;
    for (unsigned i = 0; i < sizeof data; i++) data[i] = (uint8_t)xorshift32(&seed);

    uint32_t acc = 0;
    for (int it = 0; it < ITER; it++) {
        uint32_t crc = 0xFFFFFFFFu ^ acc;
        for (unsigned i = 0; i < sizeof data; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >> 8);
        acc = crc ^ 0xFFFFFFFFu;
        data[it & (sizeof data - 1)] ^= (uint8_t)acc;
    }
    return bench_done("bench_crc32", acc);
}
