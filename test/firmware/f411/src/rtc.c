/* emboard: {"board": "NUCLEO_F411RE", "timeoutMs": 8000} */
/* RTC (RM0383 §17) from the LSI: write protection, init mode, calendar across 29 February 2024, wake-up
 * timer on EXTI 22 / IRQ 3 every second, alarm A on EXTI 17 / IRQ 41, backup registers. */
#include "f411.h"

#define PWR_CR REG32(0x40007000)
#define RTC_BASE 0x40002800u
#define RTC_TR REG32(RTC_BASE + 0x00)
#define RTC_DR REG32(RTC_BASE + 0x04)
#define RTC_CR REG32(RTC_BASE + 0x08)
#define RTC_ISR REG32(RTC_BASE + 0x0C)
#define RTC_PRER REG32(RTC_BASE + 0x10)
#define RTC_WUTR REG32(RTC_BASE + 0x14)
#define RTC_ALRMAR REG32(RTC_BASE + 0x1C)
#define RTC_WPR REG32(RTC_BASE + 0x24)
#define RTC_SSR REG32(RTC_BASE + 0x28)
#define RTC_BKP(n) REG32(RTC_BASE + 0x50 + 4u * (n))
#define EXTI_IMR REG32(0x40013C00)
#define EXTI_RTSR REG32(0x40013C08)
#define EXTI_PR REG32(0x40013C14)

#define ISR_WUTWF (1u << 2)
#define ISR_INITS (1u << 4)
#define ISR_RSF (1u << 5)
#define ISR_INITF (1u << 6)
#define ISR_INIT (1u << 7)
#define ISR_ALRAF (1u << 8)
#define ISR_WUTF (1u << 10)

static volatile unsigned wakeups, alarms;
static volatile uint32_t alarm_tr, alarm_dr;

void IRQ_Handler(unsigned irq)
{
    if (irq == 3) { /* RTC_WKUP */
        RTC_ISR = ~ISR_WUTF;
        EXTI_PR = 1u << 22;
        wakeups++;
    } else if (irq == 41) { /* RTC_Alarm */
        alarm_tr = RTC_TR;
        alarm_dr = RTC_DR;
        RTC_ISR = ~ISR_ALRAF;
        EXTI_PR = 1u << 17;
        alarms++;
    } else {
        print("unexpected IRQ %u\n", irq);
        sys_exit(99);
    }
}

static void wait_set(volatile uint32_t *reg, uint32_t bit, const char *what)
{
    for (unsigned i = 0; i < 1000000; i++)
        if (*reg & bit) return;
    print("timeout waiting for %s\n", what);
    sys_exit(98);
}

int main(void)
{
    RCC_APB1ENR |= 1u << 28; /* PWREN */
    PWR_CR |= 1u << 8;       /* DBP: backup domain writable */
    RCC_CSR |= 1u;           /* LSION */
    wait_set(&RCC_CSR, 2u, "LSIRDY");
    RCC_BDCR = (2u << 8) | (1u << 15); /* RTCSEL = LSI, RTCEN */

    check("RTC_DR reset: Monday 1 January 00", RTC_DR, 0x00002101u);
    check("RTC_PRER reset", RTC_PRER, 0x007F00FFu);
    check("RTC_ISR reset: ALRAWF|ALRBWF|WUTWF, not INITS", RTC_ISR & 0x1Fu, 0x07u);

    /* Locked: a protected register keeps its value. */
    RTC_WUTR = 5;
    check("RTC_WUTR write ignored while locked", RTC_WUTR, 0xFFFFu);
    RTC_WPR = 0xCA;
    RTC_WPR = 0x53;

    RTC_ISR = ISR_INIT;
    wait_set(&RTC_ISR, ISR_INITF, "INITF");
    RTC_PRER = 249;                /* LSI 32 kHz: (127 + 1) x (249 + 1) = 32000 */
    RTC_PRER |= 127u << 16;
    RTC_TR = 0x00235958u;          /* 23:59:58 */
    RTC_DR = 0x00246228u;          /* Wednesday 28 February 2024 */
    RTC_ISR &= ~ISR_INIT;
    RTC_ISR &= ~ISR_RSF;
    wait_set(&RTC_ISR, ISR_RSF, "RSF");
    check("INITS after setting the year", RTC_ISR & ISR_INITS, ISR_INITS);
    check("RTC_SSR within PREDIV_S", RTC_SSR <= 249, 1);
    (void)RTC_DR; /* reading SSR locked the TR/DR shadows until DR is read (RM0383 §17.3.6) */

    /* Wake-up every second (WUCKSEL = 10x: ck_spre, WUT = 0). */
    RTC_CR &= ~(1u << 10);
    wait_set(&RTC_ISR, ISR_WUTWF, "WUTWF");
    RTC_WUTR = 0;
    check("RTC_WUTR written while WUTWF", RTC_WUTR, 0);
    /* Alarm A at second 02 of any minute/hour/day (MSK4|MSK3|MSK2). */
    RTC_ALRMAR = (1u << 31) | (1u << 23) | (1u << 15) | 0x02u;
    EXTI_IMR |= (1u << 22) | (1u << 17);
    EXTI_RTSR |= (1u << 22) | (1u << 17);
    nvic_enable(3);
    nvic_enable(41);
    RTC_CR = (RTC_CR & ~7u) | 4u | (1u << 14) | (1u << 10) | (1u << 12) | (1u << 8); /* WUTIE WUTE ALRAIE ALRAE */
    RTC_WPR = 0xFF;
    enable_irq();
    while (alarms == 0) wfi();
    check("alarm A at 00:00:02", alarm_tr, 0x00000002u);
    check("date rolled to Thursday 29 February 2024", alarm_dr, 0x00248229u);
    check("wake-ups: one per second (4 by 00:00:02)", wakeups >= 3 && wakeups <= 4, 1);
    while (wakeups < 6) wfi();
    check("6 wake-ups by 00:00:04", RTC_TR, 0x00000004u);
    check("alarm A fired once", alarms, 1);

    /* Locked again: the calendar cannot be changed. */
    RTC_ISR = ISR_INIT;
    check("INIT ignored while locked", RTC_ISR & ISR_INIT, 0);

    RTC_BKP(0) = 0xA5A51234u;
    RTC_BKP(19) = 0x0BADF00Du;
    check("RTC_BKP0R", RTC_BKP(0), 0xA5A51234u);
    check("RTC_BKP19R", RTC_BKP(19), 0x0BADF00Du);
    PWR_CR &= ~(1u << 8);
    RTC_BKP(0) = 0;
    check("RTC_BKP0R write-protected without DBP", RTC_BKP(0), 0xA5A51234u);
    return fails();
}
