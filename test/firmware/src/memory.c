/*
 * The mps2-an386 memory map seen from the guest: SSRAM1/SSRAM2&3 mirrors, block RAM mirrors, PSRAM,
 * unimplemented windows reading zero, bit-band aliases over SRAM and a peripheral register, exclusive
 * access (LDREX/STREX/CLREX), byte/halfword access to peripheral registers.
 */
#include "rt.h"

static volatile uint32_t word __attribute__((aligned(4)));

/* Plain LDR from an address GCC would otherwise treat as a null-pointer dereference. */
static inline uint32_t rd(uint32_t addr)
{
    uint32_t v;
    __asm volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

static inline uint32_t ldrex(volatile uint32_t *p)
{
    uint32_t v;
    __asm volatile("ldrex %0, [%1]" : "=r"(v) : "r"(p) : "memory");
    return v;
}

static inline uint32_t strex(volatile uint32_t *p, uint32_t v)
{
    uint32_t r;
    __asm volatile("strex %0, %2, [%1]" : "=&r"(r) : "r"(p), "r"(v) : "memory");
    return r;
}

#define BITBAND_SRAM(addr, bit) REG32(0x22000000u + (((uint32_t)(addr) - 0x20000000u) * 32u) + (bit) * 4u)
#define BITBAND_PERI(addr, bit) REG32(0x42000000u + (((uint32_t)(addr) - 0x40000000u) * 32u) + (bit) * 4u)

int main(void)
{
    print("memory test\n");

    /* SSRAM1 mirror: the vector table is visible at 0x00400000 (words 1..3: GCC treats address 0 as NULL). */
    print("SSRAM1 vectors == mirror: %s\n",
          rd(0x4) == rd(0x00400004) && rd(0xC) == rd(0x0040000C) && rd(0x4) != 0 ? "yes" : "no");
    REG32(0x003FFFF0) = 0xA5A55A5A;
    print("write via SSRAM1 end, read via mirror: %08x\n", REG32(0x007FFFF0));

    /* SSRAM2&3 mirror. */
    REG32(0x20400100) = 0x13572468;
    print("SSRAM23 mirror write, direct read: %08x\n", REG32(0x20000100));

    /* Block RAM and its three mirrors. */
    for (int i = 0; i < 4; i++) REG32(0x01000000 + 0x4000 * i + 0x10 + 4 * i) = 0x100 + i;
    print("blockram:");
    for (int i = 0; i < 4; i++) print(" %x", REG32(0x01000010 + 4 * i));
    print(" mirror3=%x\n", REG32(0x0100C01C));

    /* PSRAM at 0x21000000, top and bottom. */
    REG32(0x21000000) = 0xCAFEF00D;
    REG32(0x21FFFFFC) = 0x8BADF00D;
    print("PSRAM: %08x %08x\n", REG32(0x21000000), REG32(0x21FFFFFC));

    /* Unimplemented windows read as zero and ignore writes. */
    static const uint32_t raz[] = {0x00800000, 0x01010000, 0x1FFFFFF0, 0x20800000, 0x40003000,
                                   0x40010000, 0x40024000, 0x4002B000, 0x40030000, 0x41000000};
    int nonzero = 0;
    for (unsigned i = 0; i < sizeof raz / sizeof raz[0]; i++) {
        REG32(raz[i]) = 0xFFFFFFFF;
        if (REG32(raz[i]) != 0) nonzero++;
    }
    print("unimplemented windows reading non-zero: %d\n", nonzero);

    /* Bit-band over SRAM. */
    word = 0;
    BITBAND_SRAM(&word, 0) = 1;
    BITBAND_SRAM(&word, 7) = 1;
    BITBAND_SRAM(&word, 31) = 1;
    print("bit-band set 0,7,31: %08x\n", word);
    BITBAND_SRAM(&word, 7) = 0;
    BITBAND_SRAM(&word, 16) = 0xFFFFFFFE; /* only bit 0 of the value counts */
    print("bit-band clear 7, write 0 to 16: %08x read bit31=%u bit1=%u\n", word, BITBAND_SRAM(&word, 31),
          BITBAND_SRAM(&word, 1));
    *(volatile uint8_t *)&BITBAND_SRAM(&word, 4) = 1; /* byte access to the alias */
    print("byte alias write bit 4: %08x\n", word);

    /* Bit-band over a peripheral register: FPGAIO LED0 bit 1, SCC ID bits. */
    REG32(0x40028000) = 0;
    BITBAND_PERI(0x40028000, 1) = 1;
    print("LED0 via bit-band: %x, SCC_ID bit 5=%u bit 0=%u bit 11=%u bit 10=%u\n", REG32(0x40028000),
          BITBAND_PERI(0x4002FFFC, 5), BITBAND_PERI(0x4002FFFC, 0), BITBAND_PERI(0x4002FFFC, 11),
          BITBAND_PERI(0x4002FFFC, 10));

    /* Exclusives. */
    word = 10;
    uint32_t v = ldrex(&word);
    uint32_t fail = strex(&word, v + 1);
    print("ldrex/strex: status=%u value=%u\n", fail, word);
    v = ldrex(&word);
    __asm volatile("clrex" ::: "memory");
    fail = strex(&word, v + 1);
    print("after clrex: status=%u value=%u\n", fail, word);
    fail = strex(&word, 99);
    print("strex without ldrex: status=%u value=%u\n", fail, word);

    /* Sub-word access to peripheral registers: byte reads of the SCC ID. */
    volatile uint8_t *id = (volatile uint8_t *)0x4002FFFC;
    print("SCC ID bytes: %02x %02x %02x %02x\n", id[0], id[1], id[2], id[3]);
    volatile uint16_t *id16 = (volatile uint16_t *)0x4002FFFC;
    print("SCC ID halves: %04x %04x\n", id16[0], id16[1]);
    volatile uint8_t *pid = (volatile uint8_t *)(TIMER0_BASE + 0xFE0);
    print("timer PID0 bytes: %02x %02x\n", pid[0], pid[1]);
    TIMER_RELOAD(TIMER1_BASE) = 0x11223344;
    *(volatile uint8_t *)(TIMER1_BASE + 0x8) = 0x55;
    uint32_t r1 = TIMER_RELOAD(TIMER1_BASE);
    *(volatile uint8_t *)(TIMER1_BASE + 0x9) = 0x66;
    print("timer RELOAD after strb lane0: %x, after strb lane1: %x\n", r1, TIMER_RELOAD(TIMER1_BASE));

    /* PL022 SPI (ADC port): nothing attached, loopback echoes. */
    const uint32_t spi = 0x40025000;
    print("SSP SR=%x RIS=%x PeriphID0=%x\n", REG32(spi + 0xC), REG32(spi + 0x18), REG32(spi + 0xFE0));
    REG32(spi + 0x0) = 0x7;   /* CR0: 8-bit frames */
    REG32(spi + 0x8) = 0x1A5; /* queued while disabled */
    print("queued: SR=%x\n", REG32(spi + 0xC));
    REG32(spi + 0x4) = 0x3;   /* CR1: SSE | LBM */
    print("loopback: SR=%x DR=%x SR=%x\n", REG32(spi + 0xC), REG32(spi + 0x8), REG32(spi + 0xC));
    REG32(spi + 0x4) = 0x2;
    REG32(spi + 0x8) = 0x42;
    print("no slave: DR=%x\n", REG32(spi + 0x8));

    /* SBCon I2C: lines read back as driven. */
    const uint32_t i2c = 0x40022000;
    uint32_t l0 = REG32(i2c);
    REG32(i2c) = 3;
    uint32_t l1 = REG32(i2c);
    REG32(i2c + 4) = 1;
    print("SBCon lines: %x %x %x\n", l0, l1, REG32(i2c));
    return 0;
}
