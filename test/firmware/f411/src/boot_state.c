/* emboard: {"board": "NUCLEO_F411RE", "timeoutMs": 1000} */
/* What survives a reset and a power cycle (RM0383 §6.1, §6.3.20, §3.5):
 * - a boot record programmed into flash sector 5 (0x08020000) — kept by `emboard run --flash FILE`;
 * - SRAM across a reset-pin reset (`--reset-after MS`), with RCC_CSR saying PINRSTF only, while the
 *   peripherals (GPIOA_MODER) are back at their reset values.
 * Without a reset within 100 ms (the plain test run) it exits after the first boot. */
#include "f411.h"

#define FLASH_KEYR REG32(0x40023C04)
#define FLASH_SR REG32(0x40023C0C)
#define FLASH_CR REG32(0x40023C10)
#define RECORDS ((volatile uint32_t *)0x08020000u)
#define MAGIC_AT REG32(0x2001F000u) /* above .bss, below the stack */
#define MAGIC 0xB007C0DEu
#define CSR_FLAGS (RCC_CSR & 0xFE000000u)

static uint32_t program_next_record(void)
{
    uint32_t n = 0;
    while (n < 1024 && RECORDS[n] != 0xFFFFFFFFu) n++;
    FLASH_KEYR = 0x45670123u;
    FLASH_KEYR = 0xCDEF89ABu;
    FLASH_CR = (2u << 8) | 1u; /* PSIZE x32, PG */
    RECORDS[n] = 0xB0070000u | (n + 1);
    while (FLASH_SR & (1u << 16)) /* BSY */
        ;
    check("flash program: no error flags", FLASH_SR & 0xF2u, 0);
    FLASH_CR = 1u << 31; /* LOCK */
    return n + 1;
}

static void wait_ms(unsigned ms)
{
    SYST_RVR = HSI_HZ / 1000 - 1;
    SYST_CVR = 0;
    SYST_CSR = 5; /* processor clock, enabled */
    while (ms--)
        while (!(SYST_CSR & (1u << 16))) /* COUNTFLAG */
            ;
}

int main(void)
{
    uint32_t rec = program_next_record();
    print("boot record %u in flash\n", (unsigned)rec);
    if (MAGIC_AT != MAGIC) {
        check("first boot: RCC_CSR = PORRSTF|PINRSTF|BORRSTF", CSR_FLAGS, 0x0E000000u);
        RCC_CSR |= 1u << 24; /* RMVF */
        check("RMVF clears the flags", CSR_FLAGS, 0);
        MAGIC_AT = MAGIC;
        gpio_output('A', 5);
        check("GPIOA_MODER changed", GPIO_MODER('A') & (3u << 10), 1u << 10);
        wait_ms(100);
        print("no reset within 100 ms\n");
        return fails();
    }
    print("after reset: SRAM kept\n");
    check("reset pin: RCC_CSR = PINRSTF", CSR_FLAGS, 0x04000000u);
    check("GPIOA_MODER: PA5 back to input (reset value)", GPIO_MODER('A') & (3u << 10), 0);
    MAGIC_AT = 0;
    return fails();
}
