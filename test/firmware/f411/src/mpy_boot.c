/* emboard: {"board": "NUCLEO_F411RE", "timeoutMs": 5000, "input": {"after": "type 3 bytes\n", "text": "mpy"}} */
/*
 * The register path MicroPython's stm32 port takes when it boots on a NUCLEO-F411RE, in the same order
 * (RM0383 sections in the comments), so CI covers what the real firmware needs without holding its binary:
 * flash wait states, 8 MHz HSE bypass, PLL M=8 N=192 P=2 Q=4, SYSCLK switch with SWS read back,
 * AHB/APB prescalers, USART2 at BRR 0xD0 from the 24 MHz PCLK1, SysTick through a vector table in SRAM,
 * peripheral bit-band writes, PC13 (button B1) reading 1, LSI for the RTC, USART2 reception by
 * interrupt, and a FAT-format-like sequence on sector 1: unlock, sector erase, word programming with BSY.
 */
#include "f411.h"

#define FLASH_ACR REG32(0x40023C00)
#define FLASH_KEYR REG32(0x40023C04)
#define FLASH_SR REG32(0x40023C0C)
#define FLASH_CR REG32(0x40023C10)
#define PWR_CR REG32(0x40007000)
#define RCC_PLLCFGR_ REG32(0x40023804)

#define CR_HSEON (1u << 16)
#define CR_HSERDY (1u << 17)
#define CR_HSEBYP (1u << 18)
#define CR_PLLON (1u << 24)
#define CR_PLLRDY (1u << 25)
#define CSR_LSION (1u << 0)
#define CSR_LSIRDY (1u << 1)

#define SR_BSY (1u << 16)
#define SR_ERRORS 0xF2u /* PGSERR PGPERR PGAERR WRPERR OPERR */
#define CR_PG (1u << 0)
#define CR_SER (1u << 1)
#define CR_PSIZE_X32 (2u << 8)
#define CR_STRT (1u << 16)
#define CR_LOCK (1u << 31)

/* Peripheral bit-band alias (RM0383 §2.3.3 / PM0214 §2.2.5): one word per bit of 0x40000000-0x400FFFFF. */
#define BITBAND_PERIPH(addr, bit) REG32(0x42000000u + ((addr) - 0x40000000u) * 32u + (bit) * 4u)

#define SECTOR1 0x08004000u
#define SECTOR1_SIZE 0x4000u

/* The vector table copy in SRAM; 102 entries need 512-byte alignment (VTOR's TBLOFF, PM0214 §4.4.4). */
static uint32_t ram_vectors[16 + NUM_IRQ] __attribute__((aligned(512)));
static volatile uint32_t ticks;
static volatile uint8_t rx[4];
static volatile unsigned rx_count;

static void ram_systick(void) { ticks++; }

void IRQ_Handler(unsigned irq)
{
    if (irq == USART2_IRQn && (USART_SR(USART2_BASE) & (1u << 5))) { /* RXNE */
        uint8_t b = (uint8_t)USART_DR(USART2_BASE);
        if (rx_count < sizeof rx) rx[rx_count++] = b;
    }
}

/* Core cycles spent until (REG & mask) == want, counted with SysTick as a free-running 24-bit down
 * counter on the processor clock; ~0 when it never happened within `limit` cycles. */
static uint32_t cycles_until(volatile uint32_t *reg, uint32_t mask, uint32_t want, uint32_t limit)
{
    SYST_RVR = 0xFFFFFF;
    SYST_CVR = 0;
    SYST_CSR = 5; /* ENABLE | CLKSOURCE = processor clock, no interrupt */
    uint32_t elapsed = 0, last = SYST_CVR;
    while ((*reg & mask) != want) {
        uint32_t now = SYST_CVR;
        elapsed += (last - now) & 0xFFFFFF;
        last = now;
        if (elapsed > limit) return ~0u;
    }
    elapsed += (last - SYST_CVR) & 0xFFFFFF;
    SYST_CSR = 0;
    return elapsed;
}

static void wait_flash(void)
{
    while (FLASH_SR & SR_BSY) wfi(); /* SysTick (1 ms) wakes us */
}

int main(void)
{
    /* SystemClock_Config: PWR clock, regulator scale 1, then wait states before raising the clock. */
    BITBAND_PERIPH(0x40023840u, 28) = 1; /* RCC_APB1ENR.PWREN through the bit-band alias */
    check("bit-band write sets RCC_APB1ENR.PWREN", RCC_APB1ENR >> 28 & 1, 1);
    check("bit-band read of PWREN", BITBAND_PERIPH(0x40023840u, 28), 1);
    check("bit-band read of a clear bit (TIM2EN)", BITBAND_PERIPH(0x40023840u, 0), 0);
    PWR_CR = (PWR_CR & ~(3u << 14)) | (3u << 14); /* VOS scale 1 */
    check("PWR_CR.VOS scale 1", PWR_CR >> 14 & 3, 3);

    /* HSE bypass 8 MHz from the ST-LINK MCO (RM0383 §6.2.1): ready well within HSE_STARTUP_TIMEOUT (100 ms). */
    RCC_CR |= CR_HSEBYP;
    RCC_CR |= CR_HSEON;
    uint32_t hse = cycles_until(&RCC_CR, CR_HSERDY, CR_HSERDY, HSI_HZ / 10);
    check("HSERDY within 100 ms of HSEON (bypass)", hse < HSI_HZ / 10, 1);

    /* PLL from HSE: M=8, N=192, P=2 (bits 00), Q=4 (RM0383 §6.3.2); lock within 2 ms (PLL_TIMEOUT_VALUE). */
    RCC_PLLCFGR_ = 8u | 192u << 6 | 0u << 16 | 1u << 22 | 4u << 24 | (1u << 29); /* bit 29 reserved, reset 1 */
    check("RCC_PLLCFGR read back", RCC_PLLCFGR_, 0x24403008u);
    RCC_CR |= CR_PLLON;
    uint32_t pll = cycles_until(&RCC_CR, CR_PLLRDY, CR_PLLRDY, HSI_HZ / 500);
    check("PLLRDY within 2 ms of PLLON", pll < HSI_HZ / 500, 1);

    /* FLASH_ACR: 3 wait states for 96 MHz at 3.3 V (RM0383 table 5); HAL reads LATENCY back. */
    FLASH_ACR = (FLASH_ACR & ~0xFu) | 3u | (1u << 8) | (1u << 9) | (1u << 10); /* PRFTEN ICEN DCEN */
    check("FLASH_ACR.LATENCY read back", FLASH_ACR & 0xFu, 3);

    while (!(USART_SR(USART2_BASE) & (1u << 6))) /* TC: let the last byte leave at the HSI baud rate */
        ;
    /* HPRE /1, PPRE1 /4 (101), PPRE2 /2 (100), then SW = PLL and wait for SWS = PLL (RM0383 §6.3.3). */
    RCC_CFGR = (RCC_CFGR & ~0xFCF0u) | 5u << 10 | 4u << 13;
    RCC_CFGR = (RCC_CFGR & ~3u) | 2u;
    uint32_t sws = cycles_until(&RCC_CFGR, 0xCu, 0x8u, HSI_HZ / 10);
    check("RCC_CFGR.SWS = PLL after SW = PLL", sws != ~0u, 1);

    /* USART2 on the 24 MHz PCLK1: 24e6 / 115200 = 208.3 -> BRR 0xD0 (mantissa 13, fraction 0). */
    USART_BRR(USART2_BASE) = 0xD0;
    print("96 MHz: console at BRR 0xD0\n");
    check("USART2_BRR", USART_BRR(USART2_BASE), 0xD0);

    /* SysTick at 1 ms from a vector table in SRAM (MicroPython runs with VTOR = its own table). */
    const uint32_t *flash_vectors = (const uint32_t *)SCB_VTOR;
    for (unsigned i = 0; i < 16 + NUM_IRQ; i++) ram_vectors[i] = flash_vectors[i];
    ram_vectors[15] = (uint32_t)ram_systick; /* the flash table's SysTick entry is the fatal default */
    SCB_VTOR = (uint32_t)ram_vectors;
    dsb();
    check("SCB_VTOR points at SRAM", SCB_VTOR, (uint32_t)ram_vectors);
    SYST_RVR = 96000000u / 1000u - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7; /* ENABLE | TICKINT | processor clock */
    while (ticks < 10) wfi();
    check("ten SysTick interrupts through the SRAM table", ticks >= 10, 1);

    /* B1 on PC13 (RM0383 §8): input, no pull; the board's external pull-up makes it read 1. */
    RCC_AHB1ENR |= 1u << 2;
    GPIO_MODER('C') &= ~(3u << 26);
    GPIO_PUPDR('C') &= ~(3u << 26);
    check("PC13 reads 1 (B1 released)", GPIO_IDR('C') >> 13 & 1, 1);

    /* RTC clock: LSI on, ready within MicroPython's wait (the datasheet start-up is 40 us max). */
    uint32_t t0 = ticks;
    RCC_CSR |= CSR_LSION;
    while (!(RCC_CSR & CSR_LSIRDY) && ticks - t0 < 500) wfi();
    check("LSIRDY within 500 ms", (RCC_CSR & CSR_LSIRDY) != 0 && ticks - t0 < 500, 1);

    /* REPL input: RXNE interrupt on IRQ 38. */
    USART_CR1(USART2_BASE) |= 1u << 5; /* RXNEIE */
    nvic_enable(USART2_IRQn);
    print("type 3 bytes\n");
    t0 = ticks;
    while (rx_count < 3 && ticks - t0 < 1000) wfi();
    check("three bytes received by interrupt", rx_count, 3);
    check("received 'mpy'", (uint32_t)rx[0] << 16 | (uint32_t)rx[1] << 8 | rx[2], 0x6D7079);

    /* The blank filesystem area: unlock, erase sector 1, program words with PSIZE x32, poll BSY. */
    FLASH_KEYR = 0x45670123u;
    FLASH_KEYR = 0xCDEF89ABu;
    check("FLASH_CR unlocked", FLASH_CR & CR_LOCK, 0);
    FLASH_SR = SR_ERRORS | 1u; /* clear stale flags as the HAL does */
    FLASH_CR = CR_PSIZE_X32 | CR_SER | 1u << 3; /* SNB = 1 */
    t0 = ticks;
    FLASH_CR |= CR_STRT;
    check("BSY set by STRT", (FLASH_SR & SR_BSY) != 0, 1);
    wait_flash();
    uint32_t erase_ms = ticks - t0;
    /* Datasheet: 16 KiB sector erase at x32 typ. 250 ms, max 2 s. */
    check("sector 1 erase takes 100 ms .. 2 s", erase_ms >= 100 && erase_ms <= 2000, 1);
    check("sector 1 first word erased", REG32(SECTOR1), 0xFFFFFFFFu);
    check("sector 1 last word erased", REG32(SECTOR1 + SECTOR1_SIZE - 4), 0xFFFFFFFFu);
    check("sector 0 untouched (our vector table)", REG32(0x08000000), flash_vectors[0]);
    FLASH_CR = CR_PSIZE_X32 | CR_PG;
    static const uint32_t boot_sector[4] = {0x903C58EBu, 0x4F44534Du, 0x302E3553u, 0x00020200u};
    for (unsigned i = 0; i < 4; i++) {
        REG32(SECTOR1 + 4 * i) = boot_sector[i];
        wait_flash();
    }
    REG32(SECTOR1 + SECTOR1_SIZE - 4) = 0xAA550000u; /* FAT boot signature lives in the last halfword */
    wait_flash();
    FLASH_CR &= ~CR_PG;
    check("no flash error flags", FLASH_SR & SR_ERRORS, 0);
    uint32_t bad = 0;
    for (unsigned i = 0; i < 4; i++) bad += REG32(SECTOR1 + 4 * i) != boot_sector[i];
    check("programmed words read back", bad, 0);
    check("last word programmed", REG32(SECTOR1 + SECTOR1_SIZE - 4), 0xAA550000u);
    check("unprogrammed word stays erased", REG32(SECTOR1 + 16), 0xFFFFFFFFu);
    FLASH_CR |= CR_LOCK;
    check("FLASH_CR locked again", FLASH_CR & CR_LOCK, CR_LOCK);

    SYST_CSR = 0;
    return fails();
}
