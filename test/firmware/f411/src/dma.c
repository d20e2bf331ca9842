/* emboard: {"board": "WeAct_F411CE", "options": {"spiFlash": "w25q64"}} */
/*
 * DMA1/DMA2 (RM0383 §9): memory-to-memory copy on DMA2 (polled, then with TC/HT interrupts), the DMA1
 * memory-to-memory transfer error, SPI1 full duplex by DMA (DMA2 stream 0 ch 3 = SPI1_RX, stream 3 ch 3 =
 * SPI1_TX, table 28) to the WeAct board's W25Q64: JEDEC ID, a 256-byte page program and its read back;
 * and USART2 transmit by DMA (DMA1 stream 6 ch 4, table 27) with its TC interrupt (IRQ 17).
 */
#include "f411.h"

#define DMA1_BASE 0x40026000u
#define DMA2_BASE 0x40026400u
#define DMA_LISR(d) REG32((d) + 0x00)
#define DMA_HISR(d) REG32((d) + 0x04)
#define DMA_LIFCR(d) REG32((d) + 0x08)
#define DMA_HIFCR(d) REG32((d) + 0x0C)
#define DMA_SCR(d, s) REG32((d) + 0x10 + 0x18 * (s))
#define DMA_SNDTR(d, s) REG32((d) + 0x14 + 0x18 * (s))
#define DMA_SPAR(d, s) REG32((d) + 0x18 + 0x18 * (s))
#define DMA_SM0AR(d, s) REG32((d) + 0x1C + 0x18 * (s))
#define DMA_SFCR(d, s) REG32((d) + 0x24 + 0x18 * (s))
#define SCR_EN (1u << 0)
#define SCR_TEIE (1u << 2)
#define SCR_HTIE (1u << 3)
#define SCR_TCIE (1u << 4)
#define SCR_P2M (0u << 6)
#define SCR_M2P (1u << 6)
#define SCR_M2M (2u << 6)
#define SCR_PINC (1u << 9)
#define SCR_MINC (1u << 10)
#define SCR_PSIZE32 (2u << 11)
#define SCR_MSIZE32 (2u << 13)
#define SCR_CHSEL(c) ((uint32_t)(c) << 25)
#define TCIF0 (1u << 5)
#define HTIF0 (1u << 4)
#define TEIF0 (1u << 3)
#define TCIF3 (1u << 27)
#define TCIF6 (1u << 21) /* HISR */
#define DMA2_STREAM0_IRQn 56
#define DMA1_STREAM6_IRQn 17

#define SPI1_BASE 0x40013000u
#define SPI_CR1 REG32(SPI1_BASE + 0x00)
#define SPI_CR2 REG32(SPI1_BASE + 0x04)
#define SPI_SR REG32(SPI1_BASE + 0x08)
#define SPI_DR REG32(SPI1_BASE + 0x0C)
#define SR_RXNE (1u << 0)
#define SR_TXE (1u << 1)
#define SR_OVR (1u << 6)
#define SR_BSY (1u << 7)
#define CR2_RXDMAEN (1u << 0)
#define CR2_TXDMAEN (1u << 1)

static uint32_t src[64], dst[64];
static uint8_t page[256], back[256];
static volatile uint32_t irq_lisr, irq_count, usart_irq_count;

void IRQ_Handler(unsigned irq)
{
    if (irq == DMA2_STREAM0_IRQn) {
        uint32_t f = DMA_LISR(DMA2_BASE) & 0x3D; /* stream 0 flags */
        DMA_LIFCR(DMA2_BASE) = f; /* clear only what was seen: TC may arrive while HT is handled */
        irq_lisr |= f;
        irq_count++;
    } else if (irq == DMA1_STREAM6_IRQn) {
        if (DMA_HISR(DMA1_BASE) & TCIF6) usart_irq_count++;
        DMA_HIFCR(DMA1_BASE) = 0x3Du << 16;
    }
}

static void cs(int level)
{
    if (level) {
        while (SPI_SR & SR_BSY)
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

static void simple(uint8_t op)
{
    cs(0);
    xfer(op);
    cs(1);
}

static void wait_ready(void)
{
    cs(0);
    xfer(0x05);
    while (xfer(0) & 1)
        ;
    cs(1);
}

static void cmd_addr(uint8_t op, uint32_t a)
{
    xfer(op);
    xfer((uint8_t)(a >> 16));
    xfer((uint8_t)(a >> 8));
    xfer((uint8_t)a);
}

/* SPI1 RX into `rx` (stream 0) and TX from `tx` (stream 3, MINC unless `tx_fixed`), `n` bytes, by DMA2. */
static void spi_dma(const uint8_t *tx, int tx_fixed, uint8_t *rx, uint32_t n, uint32_t rx_irq)
{
    uint32_t spi_dr = SPI1_BASE + 0x0C;
    if (rx) {
        DMA_SPAR(DMA2_BASE, 0) = spi_dr;
        DMA_SM0AR(DMA2_BASE, 0) = (uint32_t)rx;
        DMA_SNDTR(DMA2_BASE, 0) = n;
        DMA_SCR(DMA2_BASE, 0) = SCR_CHSEL(3) | SCR_P2M | SCR_MINC | rx_irq | SCR_EN;
    }
    DMA_SPAR(DMA2_BASE, 3) = spi_dr;
    DMA_SM0AR(DMA2_BASE, 3) = (uint32_t)tx;
    DMA_SNDTR(DMA2_BASE, 3) = n;
    DMA_SCR(DMA2_BASE, 3) = SCR_CHSEL(3) | SCR_M2P | (tx_fixed ? 0 : SCR_MINC) | SCR_EN;
    SPI_CR2 = (rx ? CR2_RXDMAEN : 0) | CR2_TXDMAEN;
    while (!(DMA_LISR(DMA2_BASE) & TCIF3))
        ;
    if (rx && !rx_irq)
        while (!(DMA_LISR(DMA2_BASE) & TCIF0))
            ;
    if (rx_irq)
        while (DMA_SCR(DMA2_BASE, 0) & SCR_EN)
            ;
    while (SPI_SR & SR_BSY)
        ;
    SPI_CR2 = 0;
    DMA_LIFCR(DMA2_BASE) = 0x0F7D003D; /* streams 0-3 */
}

int main(void)
{
    RCC_AHB1ENR |= (1u << 21) | (1u << 22); /* DMA1EN, DMA2EN */
    check("DMA2 LISR reset", DMA_LISR(DMA2_BASE), 0);
    check("DMA2 S0FCR reset (FIFO empty, FTH 1/2)", DMA_SFCR(DMA2_BASE, 0), 0x21);

    /* Memory-to-memory, polled. */
    for (int i = 0; i < 64; i++) src[i] = 0x01010101u * (uint32_t)i ^ 0xA5000000u;
    DMA_SPAR(DMA2_BASE, 0) = (uint32_t)src;
    DMA_SM0AR(DMA2_BASE, 0) = (uint32_t)dst;
    DMA_SNDTR(DMA2_BASE, 0) = 64;
    DMA_SCR(DMA2_BASE, 0) = SCR_M2M | SCR_PINC | SCR_MINC | SCR_PSIZE32 | SCR_MSIZE32 | SCR_EN;
    while (DMA_SCR(DMA2_BASE, 0) & SCR_EN)
        ;
    uint32_t same = 1;
    for (int i = 0; i < 64; i++) same &= dst[i] == src[i];
    check("M2M copy of 64 words", same, 1);
    check("M2M flags TCIF0|HTIF0", DMA_LISR(DMA2_BASE), TCIF0 | HTIF0);
    check("NDTR counted down to 0", DMA_SNDTR(DMA2_BASE, 0), 0);
    DMA_LIFCR(DMA2_BASE) = TCIF0 | HTIF0;
    check("LIFCR clears the flags", DMA_LISR(DMA2_BASE), 0);

    /* Memory-to-memory with TC and HT interrupts. */
    for (int i = 0; i < 64; i++) dst[i] = 0;
    nvic_enable(DMA2_STREAM0_IRQn);
    enable_irq();
    DMA_SNDTR(DMA2_BASE, 0) = 32;
    DMA_SCR(DMA2_BASE, 0) = SCR_M2M | SCR_PINC | SCR_MINC | SCR_PSIZE32 | SCR_MSIZE32 | SCR_TCIE | SCR_HTIE | SCR_EN;
    while (!(irq_lisr & TCIF0))
        ;
    /* The copy takes time: the half-transfer interrupt comes first, then the transfer-complete one. */
    check("M2M interrupts (IRQ 56): HT then TC, two entries", irq_count, 2);
    check("M2M interrupt flags seen: TCIF0|HTIF0", irq_lisr, TCIF0 | HTIF0);
    check("32 words copied, word 32 untouched", dst[31] == src[31] && dst[32] == 0, 1);

    /* DMA1 has no memory-to-memory path. */
    DMA_SPAR(DMA1_BASE, 0) = (uint32_t)src;
    DMA_SM0AR(DMA1_BASE, 0) = (uint32_t)dst;
    DMA_SNDTR(DMA1_BASE, 0) = 4;
    DMA_SCR(DMA1_BASE, 0) = SCR_M2M | SCR_PINC | SCR_MINC | SCR_EN;
    check("DMA1 M2M: TEIF0 and stream disabled", DMA_LISR(DMA1_BASE) | (DMA_SCR(DMA1_BASE, 0) & SCR_EN), TEIF0);
    DMA_LIFCR(DMA1_BASE) = TEIF0;

    /* SPI1 to the W25Q64. */
    gpio_output('A', 4);
    GPIO_BSRR('A') = 1u << 4;
    gpio_af('A', 5, 5);
    gpio_af('A', 6, 5);
    gpio_af('A', 7, 5);
    RCC_APB2ENR |= 1u << 12;
    SPI_CR1 = (1u << 2) | (1u << 9) | (1u << 8) | (1u << 6); /* MSTR SSM SSI SPE, fPCLK/2 */

    static const uint8_t id_cmd[4] = {0x9F, 0, 0, 0};
    uint8_t id[4] = {0};
    cs(0);
    spi_dma(id_cmd, 0, id, 4, 0);
    cs(1);
    check("JEDEC ID by SPI DMA", (uint32_t)id[0] << 24 | (uint32_t)id[1] << 16 | (uint32_t)id[2] << 8 | id[3], 0xFFEF4017u);

    /* Page program 256 bytes at 0x3000, data by DMA (TX only: RX overruns, cleared after). */
    for (int i = 0; i < 256; i++) page[i] = (uint8_t)(i * 7 + 3);
    simple(0x06);
    cs(0);
    cmd_addr(0x02, 0x3000);
    spi_dma(page, 0, 0, 256, 0);
    cs(1);
    check("TX-only DMA leaves OVR", SPI_SR & SR_OVR, SR_OVR);
    (void)SPI_DR;
    (void)SPI_SR;
    wait_ready();

    /* Read back by DMA: TX repeats one dummy byte (no MINC), RX with its TC interrupt. */
    static const uint8_t zero = 0;
    irq_count = 0;
    irq_lisr = 0;
    cs(0);
    cmd_addr(0x03, 0x3000);
    spi_dma(&zero, 1, back, 256, SCR_TCIE);
    cs(1);
    same = 1;
    for (int i = 0; i < 256; i++) same &= back[i] == page[i];
    check("page read back by SPI DMA", same, 1);
    check("RX stream TC interrupt", irq_count == 1 && (irq_lisr & TCIF0), 1);

    /* USART2 transmit by DMA1 stream 6 channel 4. */
    static const char msg[] = "sent by DMA1 stream 6\n";
    while (!(USART_SR(USART2_BASE) & (1u << 6))) /* TC: console idle */
        ;
    nvic_enable(DMA1_STREAM6_IRQn);
    USART_CR3(USART2_BASE) |= 1u << 7; /* DMAT */
    DMA_SPAR(DMA1_BASE, 6) = USART2_BASE + 0x04;
    DMA_SM0AR(DMA1_BASE, 6) = (uint32_t)msg;
    DMA_SNDTR(DMA1_BASE, 6) = sizeof msg - 1;
    DMA_SCR(DMA1_BASE, 6) = SCR_CHSEL(4) | SCR_M2P | SCR_MINC | SCR_TCIE | SCR_TEIE | SCR_EN;
    while (usart_irq_count == 0)
        ;
    while (!(USART_SR(USART2_BASE) & (1u << 6)))
        ;
    USART_CR3(USART2_BASE) &= ~(1u << 7);
    check("USART2 DMA TC interrupt (IRQ 17) once", usart_irq_count, 1);
    check("DMA1 stream 6 disabled at the end", DMA_SCR(DMA1_BASE, 6) & SCR_EN, 0);
    return fails();
}
