/* emboard: {"board": "NUCLEO_F411RE", "timeoutMs": 3000} */
/* WWDG (RM0383 §16), three starts: refreshes inside the window, then a refresh above the window resets;
 * next the early-wakeup interrupt (IRQ 0) at counter 0x40 and the timeout reset; each seen as WWDGRSTF. */
#include "f411.h"

#define PWR_CR REG32(0x40007000)
#define RTC_BKP(n) REG32(0x40002850 + 4u * (n))
#define WWDG_CR REG32(0x40002C00)
#define WWDG_CFR REG32(0x40002C04)
#define WWDG_SR REG32(0x40002C08)
#define CSR_RMVF (1u << 24)
#define CSR_WWDGRSTF (1u << 30)
/* TC: the last character has left the UART before the reset. */
#define UART_FLUSH() while (!(USART_SR(USART2_BASE) & (1u << 6)))
#define MAGIC 0x3177D06u

void IRQ_Handler(unsigned irq)
{
    if (irq != 0) sys_exit(99);
    RTC_BKP(2) = WWDG_CR & 0x7Fu; /* counter at the early wakeup */
    RTC_BKP(3)++;
    WWDG_SR = 0;                  /* clear EWIF; no refresh: the reset follows one tick later */
}

int main(void)
{
    RCC_APB1ENR |= (1u << 28) | (1u << 11); /* PWREN, WWDGEN */
    PWR_CR |= 1u << 8;
    uint32_t csr = RCC_CSR;
    RCC_CSR |= CSR_RMVF;
    if (RTC_BKP(0) != MAGIC) {
        RTC_BKP(0) = MAGIC;
        RTC_BKP(1) = 0;
        RTC_BKP(3) = 0;
    }
    uint32_t stage = RTC_BKP(1);
    print("start %u\n", stage);
    if (stage == 0) {
        check("no WWDGRSTF at first", csr & CSR_WWDGRSTF, 0);
        check("WWDG_CR reset value", WWDG_CR & 0x80u, 0);
        check("WWDG_CFR reset value", WWDG_CFR, 0x7Fu);
        WWDG_CFR = (3u << 7) | 0x50u; /* PCLK1/4096/8, window 0x50 */
        WWDG_CR = 0x80u | 0x7Fu;      /* WDGA */
        for (int i = 0; i < 3; i++) {
            while ((WWDG_CR & 0x7Fu) >= 0x50u)
                ;
            WWDG_CR = 0x7Fu; /* inside the window */
        }
        check("three refreshes inside the window: WDGA still set", WWDG_CR & 0x80u, 0x80u);
        RTC_BKP(1) = 1;
        UART_FLUSH();
        WWDG_CR = 0x7Fu; /* counter 0x7F > W: reset */
        for (;;)
            ;
    }
    check("WWDGRSTF after the reset", csr & CSR_WWDGRSTF, CSR_WWDGRSTF);
    if (stage == 1) {
        check("WWDG_CR after the reset: WDGA cleared", WWDG_CR & 0x80u, 0);
        RTC_BKP(1) = 2;
        WWDG_CFR = (1u << 9) | (3u << 7) | 0x7Fu; /* EWI */
        nvic_enable(0);
        enable_irq();
        WWDG_CR = 0x80u | 0x7Fu;
        for (;;) wfi();
    }
    check("early wakeup interrupt at counter 0x40", RTC_BKP(2), 0x40u);
    check("one early wakeup before the timeout", RTC_BKP(3), 1);
    RTC_BKP(0) = 0;
    return fails();
}
