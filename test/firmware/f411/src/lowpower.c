/* emboard: {"board": "NUCLEO_F411RE", "timeoutMs": 3000} */
/* Low-power modes (RM0383 §5.3): WFI with SCB_SCR.SLEEPDEEP.
 * 1. Stop (PWR_CR.PDDS = 0) from a 48 MHz PLL clock, woken after 100 ms by the RTC wake-up timer (EXTI 22,
 *    IRQ 3 pending with PRIMASK set): the core continues after WFI, the system clock is now the HSI and HSE
 *    and PLL are off (§5.3.6), PWR_CSR.WUF is set by the RTC event. LD2 (PA5) is on during each sleep.
 * 2. Standby (PDDS = 1), a SysTick interrupt pending and the RTC wake-up timer at 100 ms: the WFI never
 *    returns; the wake-up restarts the program with PWR_CSR.SBF and WUF set, no new RCC_CSR flag, SRAM lost
 *    and the backup domain (RTC running, backup registers) kept (§5.3.7, §5.4.2). */
#include "f411.h"

#define PWR_CR REG32(0x40007000)
#define PWR_CSR REG32(0x40007004)
#define RCC_FLASH_ACR REG32(0x40023C00)
#define RTC_BASE 0x40002800u
#define RTC_CR REG32(RTC_BASE + 0x08)
#define RTC_ISR REG32(RTC_BASE + 0x0C)
#define RTC_WUTR REG32(RTC_BASE + 0x14)
#define RTC_WPR REG32(RTC_BASE + 0x24)
#define RTC_BKP(n) REG32(RTC_BASE + 0x50 + 4u * (n))
#define EXTI_IMR REG32(0x40013C00)
#define EXTI_RTSR REG32(0x40013C08)
#define EXTI_PR REG32(0x40013C14)

#define CR_LPDS (1u << 0)
#define CR_PDDS (1u << 1)
#define CR_CWUF (1u << 2)
#define CR_CSBF (1u << 3)
#define CR_DBP (1u << 8)
#define CSR_WUF (1u << 0)
#define CSR_SBF (1u << 1)
#define SCR_SLEEPDEEP (1u << 2)
#define ISR_WUTWF (1u << 2)
#define ISR_WUTF (1u << 10)
#define RTC_CR_WUTE (1u << 10)
#define RTC_CR_WUTIE (1u << 14)
#define RCC_CR_HSION (1u << 0)
#define RCC_CR_HSIRDY (1u << 1)
#define RCC_CR_HSEON (1u << 16)
#define RCC_CR_HSERDY (1u << 17)
#define RCC_CR_HSEBYP (1u << 18)
#define RCC_CR_PLLON (1u << 24)
#define RCC_CR_PLLRDY (1u << 25)
#define MAGIC 0x5BF0A11Du
/* An SRAM word far from the program's data and stack: its contents must not survive Standby. */
#define SRAM_MARK REG32(0x20010000)
#define UART_FLUSH() while (!(USART_SR(USART2_BASE) & (1u << 6)))

static volatile unsigned wakeups;

void IRQ_Handler(unsigned irq)
{
    if (irq == 3) { /* RTC_WKUP */
        RTC_ISR = ~ISR_WUTF;
        EXTI_PR = 1u << 22;
        wakeups++;
    } else {
        print("unexpected IRQ %u\n", irq);
        sys_exit(99);
    }
}

static void wait_set(volatile uint32_t *reg, uint32_t bit, const char *what)
{
    for (unsigned i = 0; i < 10000000u; i++)
        if (*reg & bit)
            return;
    print("timeout waiting for %s\n", what);
    sys_exit(98);
}

/* RTC wake-up timer: WUCKSEL = RTCCLK / 16 (LSI 32 kHz → 2 kHz), 200 ticks = 100 ms, interrupt on. */
static void rtc_wakeup_in_100ms(void)
{
    RTC_WPR = 0xCA;
    RTC_WPR = 0x53;
    RTC_CR &= ~(RTC_CR_WUTE | RTC_CR_WUTIE | 7u);
    wait_set(&RTC_ISR, ISR_WUTWF, "WUTWF");
    RTC_WUTR = 199;
    RTC_ISR = ~ISR_WUTF;
    EXTI_PR = 1u << 22;
    RTC_CR |= RTC_CR_WUTE | RTC_CR_WUTIE;
    RTC_WPR = 0xFF;
}

/* LD2 (PA5) marks the sleeps for the unit test, which times them in virtual time. */
#define LED_ON() (GPIO_BSRR('A') = 1u << 5)
#define LED_OFF() (GPIO_BSRR('A') = 1u << 21)

int main(void)
{
    RCC_APB1ENR |= 1u << 28; /* PWREN */
    PWR_CR |= CR_DBP;
    uint32_t pwr_csr = PWR_CSR;
    uint32_t rcc_csr = RCC_CSR;

    if (RTC_BKP(0) != MAGIC) {
        print("power-on\n");
        check("PWR_CSR after power-on: SBF and WUF clear", pwr_csr & (CSR_SBF | CSR_WUF), 0);
        RCC_CSR |= 1u; /* LSION */
        wait_set(&RCC_CSR, 2u, "LSIRDY");
        RCC_BDCR = (2u << 8) | (1u << 15); /* RTCSEL = LSI, RTCEN */
        EXTI_IMR |= 1u << 22;
        EXTI_RTSR |= 1u << 22;
        nvic_enable(3);
        gpio_output('A', 5);

        /* 48 MHz from the 8 MHz ST-LINK clock: HSE bypass, PLL M=8 N=192 P=4. */
        RCC_CR |= RCC_CR_HSEBYP | RCC_CR_HSEON;
        wait_set(&RCC_CR, RCC_CR_HSERDY, "HSERDY");
        RCC_PLLCFGR = (1u << 22) | (4u << 24) | (1u << 16) | (192u << 6) | 8u;
        RCC_CR |= RCC_CR_PLLON;
        wait_set(&RCC_CR, RCC_CR_PLLRDY, "PLLRDY");
        RCC_FLASH_ACR = 1;
        RCC_CFGR = (RCC_CFGR & ~3u) | 2u;
        while (((RCC_CFGR >> 2) & 3u) != 2u)
            ;
        check("running from the PLL (SWS = 2)", (RCC_CFGR >> 2) & 3u, 2);

        /* --- Stop --- */
        rtc_wakeup_in_100ms();
        PWR_CR = (PWR_CR & ~CR_PDDS) | CR_LPDS | CR_CWUF;
        SCB_SCR |= SCR_SLEEPDEEP;
        disable_irq(); /* as MicroPython: restore the clocks before the wake-up interrupt runs */
        LED_ON();
        dsb();
        wfi();
        LED_OFF();
        SCB_SCR &= ~SCR_SLEEPDEEP;
        uint32_t cr = RCC_CR, sws = (RCC_CFGR >> 2) & 3u;
        check("after Stop: WUTF set (the RTC woke us)", RTC_ISR & ISR_WUTF, ISR_WUTF);
        check("after Stop: system clock is the HSI (SWS = 0)", sws, 0);
        check("after Stop: HSI on and ready", cr & (RCC_CR_HSION | RCC_CR_HSIRDY), RCC_CR_HSION | RCC_CR_HSIRDY);
        check("after Stop: HSE off", cr & (RCC_CR_HSEON | RCC_CR_HSERDY), 0);
        check("after Stop: PLL off", cr & (RCC_CR_PLLON | RCC_CR_PLLRDY), 0);
        check("after Stop: HSEBYP kept", cr & RCC_CR_HSEBYP, RCC_CR_HSEBYP);
        check("after Stop: PWR_CSR.WUF (RTC wake-up event)", PWR_CSR & CSR_WUF, CSR_WUF);
        check("after Stop: SBF clear (not Standby)", PWR_CSR & CSR_SBF, 0);
        enable_irq();
        check("RTC wake-up interrupt ran once PRIMASK was cleared", wakeups, 1);
        PWR_CR |= CR_CWUF;
        check("CWUF clears WUF", PWR_CSR & CSR_WUF, 0);

        /* --- Standby (LD2 on: the I/Os go to their reset state, high impedance, at entry) --- */
        LED_ON();
        RTC_BKP(0) = MAGIC;
        RTC_BKP(1) = 0xB0B0;
        SRAM_MARK = MAGIC;
        RCC_CSR |= 1u << 24; /* RMVF */
        rtc_wakeup_in_100ms();
        PWR_CR |= CR_PDDS | CR_CWUF;
        SCB_SCR |= SCR_SLEEPDEEP;
        print("entering Standby\n");
        UART_FLUSH();
        disable_irq();
        SYST_RVR = 16000 - 1;
        SYST_CVR = 0;
        SYST_CSR = 7; /* SysTick interrupt every 1 ms: pending, but Standby ignores it */
        dsb();
        wfi();
        check("Standby: WFI never returns", 1, 0);
        return fails();
    }

    gpio_output('A', 5);
    LED_ON();
    print("after Standby\n");
    RTC_BKP(0) = 0;
    check("PWR_CSR.SBF: the device was in Standby", pwr_csr & CSR_SBF, CSR_SBF);
    check("PWR_CSR.WUF: woken by the RTC", pwr_csr & CSR_WUF, CSR_WUF);
    check("RCC_CSR: no reset flag for the Standby wake-up", rcc_csr & 0xFE000000u, 0);
    check("SRAM lost", SRAM_MARK, 0);
    check("backup register kept", RTC_BKP(1), 0xB0B0);
    check("RTC still enabled (backup domain)", RCC_BDCR & (1u << 15), 1u << 15);
    check("RTC WUTF still set", RTC_ISR & ISR_WUTF, ISR_WUTF);
    check("running from the HSI after the reset", (RCC_CFGR >> 2) & 3u, 0);
    check("SCB_SCR reset (SLEEPDEEP clear)", SCB_SCR, 0);
    PWR_CR |= CR_CSBF | CR_CWUF;
    check("CSBF clears SBF, CWUF clears WUF", PWR_CSR & (CSR_SBF | CSR_WUF), 0);
    LED_OFF();
    return fails();
}
