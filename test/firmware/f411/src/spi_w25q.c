/* emboard: {"board": "WeAct_F411CE", "options": {"spiFlash": "w25q64"}} */
/*
 * SPI1 master (RM0383 §20) talking to the WeAct board's W25Q64 (CS PA4, SCK PA5, MISO PA6, MOSI PA7, AF5):
 * SPI reset values, JEDEC/manufacturer IDs, status registers, WEL, page program with BUSY polling timed by
 * DWT_CYCCNT (datasheet typical 0.4 ms), read back (03h and 0Bh), the AND rule, program without WEL,
 * 4 KiB sector erase (45 ms), power-down/release, the SPI's OVR and MODF sequences, RCC gating and reset.
 * Clocks: HSI 16 MHz, PCLK2 16 MHz, SPI BR=0 → SCK 8 MHz (one byte = 16 CPU cycles).
 */
#include "f411.h"

#define SPI1_BASE 0x40013000u
#define SPI_CR1 REG32(SPI1_BASE + 0x00)
#define SPI_CR2 REG32(SPI1_BASE + 0x04)
#define SPI_SR REG32(SPI1_BASE + 0x08)
#define SPI_DR REG32(SPI1_BASE + 0x0C)
#define SPI_CRCPR REG32(SPI1_BASE + 0x10)
#define SPI_I2SPR REG32(SPI1_BASE + 0x20)
#define CR1_MSTR (1u << 2)
#define CR1_SPE (1u << 6)
#define CR1_SSI (1u << 8)
#define CR1_SSM (1u << 9)
#define SR_RXNE (1u << 0)
#define SR_TXE (1u << 1)
#define SR_MODF (1u << 5)
#define SR_OVR (1u << 6)
#define SR_BSY (1u << 7)

#define DWT_CTRL REG32(0xE0001000)
#define DWT_CYCCNT REG32(0xE0001004)

static void cs(int level)
{
    if (level) {
        while (SPI_SR & SR_BSY) /* the last frame must leave before /CS rises */
            ;
        GPIO_BSRR('A') = 1u << 4;
    } else {
        GPIO_BSRR('A') = 1u << (4 + 16);
    }
}

static uint8_t xfer(uint8_t b)
{
    while (!(SPI_SR & SR_TXE))
        ;
    SPI_DR = b;
    while (!(SPI_SR & SR_RXNE))
        ;
    return (uint8_t)SPI_DR;
}

static void cmd_addr(uint8_t op, uint32_t a)
{
    xfer(op);
    xfer((uint8_t)(a >> 16));
    xfer((uint8_t)(a >> 8));
    xfer((uint8_t)a);
}

static void simple(uint8_t op)
{
    cs(0);
    xfer(op);
    cs(1);
}

static uint8_t status(uint8_t op)
{
    cs(0);
    xfer(op);
    uint8_t v = xfer(0);
    cs(1);
    return v;
}

/* Polls BUSY; returns the CPU cycles since t0 (taken when /CS rose on the command). */
static uint32_t wait_ready(uint32_t t0, uint32_t *polls)
{
    uint32_t n = 0;
    cs(0);
    xfer(0x05);
    while (xfer(0) & 1) n++;
    cs(1);
    *polls = n;
    return DWT_CYCCNT - t0;
}

static uint32_t read3(uint8_t op)
{
    cs(0);
    xfer(op);
    uint32_t v = (uint32_t)xfer(0) << 16;
    v |= (uint32_t)xfer(0) << 8;
    v |= xfer(0);
    cs(1);
    return v;
}

static uint8_t buf[16];

static void read_bytes(uint8_t op, uint32_t a, int n)
{
    cs(0);
    cmd_addr(op, a);
    if (op == 0x0B) xfer(0); /* fast read: one dummy byte */
    for (int i = 0; i < n; i++) buf[i] = xfer(0);
    cs(1);
}

int main(void)
{
    DWT_CTRL |= 1; /* CYCCNTENA */
    gpio_output('A', 4);
    GPIO_BSRR('A') = 1u << 4; /* /CS high */
    gpio_af('A', 5, 5);
    gpio_af('A', 6, 5);
    gpio_af('A', 7, 5);
    RCC_APB2ENR |= 1u << 12; /* SPI1EN */

    check("SPI1 CR1 reset", SPI_CR1, 0);
    check("SPI1 SR reset (TXE)", SPI_SR, 0x2);
    check("SPI1 CRCPR reset", SPI_CRCPR, 0x7);
    check("SPI1 I2SPR reset", SPI_I2SPR, 0x2);
    SPI_CR1 = CR1_MSTR | CR1_SSM | CR1_SSI | CR1_SPE; /* BR=0: fPCLK/2 */

    check("JEDEC ID (9Fh) W25Q64", read3(0x9F), 0xEF4017);
    cs(0);
    cmd_addr(0x90, 0);
    uint32_t mid = (uint32_t)xfer(0) << 8;
    mid |= xfer(0);
    cs(1);
    check("manufacturer/device ID (90h)", mid, 0xEF16);
    check("status register 1 after power-on", status(0x05), 0);
    check("status register 3 (DRV default)", status(0x15), 0x60);

    simple(0x06);
    check("06h sets WEL", status(0x05), 0x02);
    simple(0x04);
    check("04h clears WEL", status(0x05), 0);

    /* Page program 16 bytes at 0x001000. */
    simple(0x06);
    cs(0);
    cmd_addr(0x02, 0x1000);
    for (int i = 0; i < 16; i++) xfer((uint8_t)(0xA0 + i));
    cs(1);
    uint32_t t0 = DWT_CYCCNT;
    uint8_t st = status(0x05);
    uint32_t polls;
    uint32_t t = wait_ready(t0, &polls);
    check("BUSY|WEL right after page program", st, 0x03);
    /* 0.4 ms at 16 MHz = 6400 cycles, give or take one status poll (about 100 cycles). */
    print("page program busy: %u cycles, %u polls\n", t, polls);
    check("page program busy 0.4 ms", t >= 6400 && t < 6600, 1);
    check("status polled more than once", polls > 10, 1);
    check("WEL cleared after program", status(0x05), 0);
    read_bytes(0x03, 0x1000, 16);
    uint32_t ok = 1;
    for (int i = 0; i < 16; i++) ok &= buf[i] == (uint8_t)(0xA0 + i);
    check("read (03h) returns the programmed page", ok, 1);
    read_bytes(0x0B, 0x1008, 4);
    check("fast read (0Bh) with dummy byte", (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3], 0xA8A9AAABu);

    /* Program without WEL: ignored. */
    cs(0);
    cmd_addr(0x02, 0x1000);
    xfer(0x00);
    cs(1);
    check("program without WEL: not busy", status(0x05), 0);
    read_bytes(0x03, 0x1000, 1);
    check("program without WEL: data unchanged", buf[0], 0xA0);

    /* AND semantics: 0xA1 & 0x5F = 0x01. */
    simple(0x06);
    cs(0);
    cmd_addr(0x02, 0x1001);
    xfer(0x5F);
    cs(1);
    wait_ready(DWT_CYCCNT, &polls);
    read_bytes(0x03, 0x1001, 1);
    check("program only clears bits (AND)", buf[0], 0x01);

    /* 4 KiB sector erase at 0x1234 → 0x1000..0x1FFF. */
    simple(0x06);
    cs(0);
    cmd_addr(0x20, 0x1234);
    cs(1);
    t0 = DWT_CYCCNT;
    cs(0);
    xfer(0x9F);
    uint8_t busy_id = xfer(0);
    cs(1);
    t = wait_ready(t0, &polls);
    check("commands other than read status ignored while busy", busy_id, 0xFF);
    /* 45 ms at 16 MHz = 720000 cycles. */
    print("sector erase busy: %u cycles\n", t);
    check("sector erase busy 45 ms", t >= 720000 && t < 720200, 1);
    read_bytes(0x03, 0x1000, 4);
    check("erased sector reads 0xFF", (uint32_t)buf[0] << 24 | (uint32_t)buf[1] << 16 | (uint32_t)buf[2] << 8 | buf[3], 0xFFFFFFFFu);

    /* Power-down: only ABh is accepted. */
    simple(0xB9);
    check("JEDEC ID in power-down floats", read3(0x9F), 0xFFFFFF);
    cs(0);
    xfer(0xAB);
    xfer(0);
    xfer(0);
    xfer(0);
    uint8_t dev = xfer(0);
    cs(1);
    check("ABh release returns device ID 0x16", dev, 0x16);
    check("JEDEC ID after release", read3(0x9F), 0xEF4017);

    /* OVR: two frames without reading DR; DR read then SR read clears it. */
    cs(0);
    SPI_DR = 0x9F;
    while (!(SPI_SR & SR_TXE))
        ;
    SPI_DR = 0x00;
    while (SPI_SR & SR_BSY)
        ;
    cs(1);
    check("OVR after an unread frame", SPI_SR & (SR_OVR | SR_RXNE), SR_OVR | SR_RXNE);
    (void)SPI_DR;
    (void)SPI_SR;
    check("OVR cleared by DR read then SR read", SPI_SR & SR_OVR, 0);

    /* MODF: SSI=0 with SSM=1 in master mode. */
    SPI_CR1 = CR1_MSTR | CR1_SSM | CR1_SPE;
    check("MODF set, SPE and MSTR cleared", (SPI_SR & SR_MODF) | (SPI_CR1 & (CR1_SPE | CR1_MSTR)), SR_MODF);
    SPI_CR1 = CR1_MSTR | CR1_SSM | CR1_SSI | CR1_SPE;
    check("MODF cleared by SR read then CR1 write", SPI_SR & SR_MODF, 0);
    check("JEDEC ID after MODF recovery", read3(0x9F), 0xEF4017);

    /* RCC: SPI1EN off gates the registers (read 0, state kept); SPI1RST returns them to reset values. */
    RCC_APB2ENR &= ~(1u << 12);
    check("SPI1 CR1 reads 0 with its clock off", SPI_CR1, 0);
    RCC_APB2ENR |= 1u << 12;
    check("SPI1 CR1 kept while the clock was off", SPI_CR1, CR1_MSTR | CR1_SSM | CR1_SSI | CR1_SPE);
    RCC_APB2RSTR |= 1u << 12;
    RCC_APB2RSTR &= ~(1u << 12);
    check("SPI1RST resets CR1", SPI_CR1, 0);
    return fails();
}
