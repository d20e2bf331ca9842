/* emboard: {"board": "NUCLEO_F411RE", "timeoutMs": 2000} */
/* IWDG (RM0383 §15): refreshed in time it keeps quiet; left alone it resets the chip, which the program
 * sees after the reset as RCC_CSR.IWDGRSTF, with the RTC backup register written before it intact. */
#include "f411.h"

#define PWR_CR REG32(0x40007000)
#define RTC_BKP(n) REG32(0x40002850 + 4u * (n))
#define IWDG_KR REG32(0x40003000)
#define IWDG_PR REG32(0x40003004)
#define IWDG_RLR REG32(0x40003008)
#define IWDG_SR REG32(0x4000300C)
#define CSR_RMVF (1u << 24)
#define CSR_PINRSTF (1u << 26)
#define CSR_PORRSTF (1u << 27)
#define CSR_IWDGRSTF (1u << 29)
/* TC: the last character has left the UART before the reset. */
#define UART_FLUSH() while (!(USART_SR(USART2_BASE) & (1u << 6)))
#define MAGIC 0x1D6A11E5u

/* Busy-waits `ms` milliseconds with SysTick on the 16 MHz HSI. */
static void delay_ms(unsigned ms)
{
    SYST_RVR = 16000 - 1;
    SYST_CVR = 0;
    SYST_CSR = 5; /* ENABLE | CLKSOURCE = processor clock */
    while (ms--)
        while (!(SYST_CSR & (1u << 16))) /* COUNTFLAG */
            ;
    SYST_CSR = 0;
}

int main(void)
{
    RCC_APB1ENR |= 1u << 28; /* PWREN */
    PWR_CR |= 1u << 8;       /* DBP: backup registers writable */
    uint32_t csr = RCC_CSR;
    if (RTC_BKP(0) != MAGIC) {
        print("first start\n");
        check("RCC_CSR: PORRSTF after power-on", csr & CSR_PORRSTF, CSR_PORRSTF);
        check("RCC_CSR: no IWDGRSTF", csr & CSR_IWDGRSTF, 0);
        RCC_CSR |= CSR_RMVF;
        check("RMVF clears the reset flags", RCC_CSR & 0xFF000000u, 0);
        check("IWDG_RLR reset value", IWDG_RLR, 0xFFFu);
        IWDG_RLR = 79;
        check("IWDG_RLR write-protected before 0x5555", IWDG_RLR, 0xFFFu);
        IWDG_KR = 0x5555;
        IWDG_PR = 0;    /* LSI / 4 */
        IWDG_RLR = 79;  /* 80 x 4 / 32 kHz = 10 ms */
        check("IWDG_SR: RVU while the reload value is transferred", IWDG_SR & 2u, 2u);
        while (IWDG_SR & 3u)
            ;
        check("IWDG_RLR after 0x5555", IWDG_RLR, 79);
        RTC_BKP(0) = MAGIC;
        IWDG_KR = 0xCCCC;
        for (int i = 0; i < 10; i++) {
            delay_ms(8);
            IWDG_KR = 0xAAAA;
        }
        RTC_BKP(1) = 10;
        print("refreshed every 8 ms for 80 ms: still running\n");
        UART_FLUSH();
        for (;;)
            ; /* no refresh: the watchdog resets us 10 ms from the last reload */
    }
    print("after the watchdog reset\n");
    check("RCC_CSR: IWDGRSTF", csr & CSR_IWDGRSTF, CSR_IWDGRSTF);
    check("RCC_CSR: PINRSTF (internal reset drives NRST)", csr & CSR_PINRSTF, CSR_PINRSTF);
    check("RCC_CSR: no PORRSTF (cleared before)", csr & CSR_PORRSTF, 0);
    check("backup register survived the reset", RTC_BKP(1), 10);
    delay_ms(30);
    print("the reset stopped the watchdog: alive 30 ms later\n");
    RTC_BKP(0) = 0;
    RCC_CSR |= CSR_RMVF;
    return fails();
}
