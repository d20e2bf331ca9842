/* emboard: {"board": "NUCLEO_F411RE"} */
/* CRC unit (RM0383 §4) against a bit-by-bit CRC-32 (poly 0x04C11DB7, init 0xFFFFFFFF, MSB first) in C. */
#include "f411.h"

#define CRC_DR REG32(0x40023000)
#define CRC_IDR REG32(0x40023004)
#define CRC_CR REG32(0x40023008)

static uint32_t soft_crc(uint32_t crc, uint32_t word)
{
    crc ^= word;
    for (int i = 0; i < 32; i++) crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
    return crc;
}

int main(void)
{
    check("CRC_DR with the clock off reads 0", CRC_DR, 0);
    RCC_AHB1ENR |= 1u << 12; /* CRCEN */
    check("CRC_DR reset value", CRC_DR, 0xFFFFFFFFu);
    CRC_DR = 0x12345678u;
    check("CRC of 0x12345678", CRC_DR, 0xDF8A8A2Bu);
    CRC_CR = 1;
    check("CR.RESET reloads DR", CRC_DR, 0xFFFFFFFFu);
    check("CR reads 0", CRC_CR, 0);

    uint32_t soft = 0xFFFFFFFFu, x = 1;
    for (int i = 0; i < 256; i++) {
        x = x * 1103515245u + 12345u;
        CRC_DR = x;
        soft = soft_crc(soft, x);
    }
    check("256 words match the software CRC", CRC_DR, soft);

    CRC_IDR = 0x1C5;
    check("CRC_IDR keeps 8 bits", CRC_IDR, 0xC5);
    CRC_CR = 1;
    check("CR.RESET leaves IDR", CRC_IDR, 0xC5);
    RCC_AHB1RSTR |= 1u << 12;
    RCC_AHB1RSTR &= ~(1u << 12);
    check("RCC reset clears IDR", CRC_IDR, 0);
    return fails();
}
