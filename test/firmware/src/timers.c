/*
 * CMSDK peripherals of mps2-an386: APB timer 0/1 (IRQ 8/9), dual timer (IRQ 10, combined), UART0 TX
 * interrupt (IRQ 1), SCC/FPGAIO identification and LED registers. Counts are checked, not timing.
 */
#include "rt.h"

#define TIMER0_IRQ 8
#define TIMER1_IRQ 9
#define DUALTIMER_IRQ 10
#define UART0_TX_IRQ 1

#define DT1_LOAD REG32(DUALTIMER_BASE + 0x00)
#define DT1_VALUE REG32(DUALTIMER_BASE + 0x04)
#define DT1_CONTROL REG32(DUALTIMER_BASE + 0x08)
#define DT1_INTCLR REG32(DUALTIMER_BASE + 0x0c)
#define DT1_RIS REG32(DUALTIMER_BASE + 0x10)
#define DT1_MIS REG32(DUALTIMER_BASE + 0x14)
#define DT2_CONTROL REG32(DUALTIMER_BASE + 0x28)

#define FPGAIO_LED0 REG32(0x40028000)
#define FPGAIO_COUNTER REG32(0x40028018)
#define SCC_CFG1 REG32(0x4002F004)
#define SCC_AID REG32(0x4002FFF8)
#define SCC_ID REG32(0x4002FFFC)

static volatile uint32_t t0_count, t1_count, dt_count, tx_count;
static volatile uint32_t last_irq_order[8];
static volatile uint32_t order_n;

void IRQ_Handler(unsigned irq)
{
    if (order_n < 8) last_irq_order[order_n++] = irq;
    switch (irq) {
    case TIMER0_IRQ:
        TIMER_INTSTATUS(TIMER0_BASE) = 1;
        if (++t0_count == 5) TIMER_CTRL(TIMER0_BASE) = 0;
        break;
    case TIMER1_IRQ:
        TIMER_INTSTATUS(TIMER1_BASE) = 1;
        t1_count++;
        TIMER_CTRL(TIMER1_BASE) = 0;
        break;
    case DUALTIMER_IRQ:
        DT1_INTCLR = 1;
        if (++dt_count == 3) DT1_CONTROL = 0;
        break;
    case UART0_TX_IRQ:
        UART_INTSTATUS(UART0_BASE) = 1; /* TX interrupt is W1C */
        tx_count++;
        break;
    default:
        print("unexpected IRQ %u\n", irq);
        break;
    }
}

/* Sleeps until *v >= n without the lost-wakeup race: the check runs with PRIMASK set, and WFI still
 * wakes on a pending interrupt, which is then taken when PRIMASK is cleared. */
static void wait_for(volatile uint32_t *v, uint32_t n)
{
    disable_irq();
    while (*v < n) {
        wfi();
        enable_irq();
        isb();
        disable_irq();
    }
    enable_irq();
}

int main(void)
{
    print("timers test\n");
    print("timer0 reset: CTRL=%x VALUE=%x RELOAD=%x INTSTATUS=%x\n", TIMER_CTRL(TIMER0_BASE),
          TIMER_VALUE(TIMER0_BASE), TIMER_RELOAD(TIMER0_BASE), TIMER_INTSTATUS(TIMER0_BASE));
    print("dualtimer reset: CONTROL=%x VALUE=%x LOAD=%x RIS=%x\n", DT1_CONTROL, DT1_VALUE, DT1_LOAD, DT1_RIS);
    print("timer PID0=%x dualtimer PID0=%x uart PID0=%x\n", REG32(TIMER0_BASE + 0xFE0), REG32(DUALTIMER_BASE + 0xFE0),
          REG32(UART0_BASE + 0xFE0));

    nvic_enable(TIMER0_IRQ);
    nvic_enable(TIMER1_IRQ);
    nvic_enable(DUALTIMER_IRQ);

    /* Timer0: 10 kHz, 5 interrupts, then the handler stops it. */
    TIMER_RELOAD(TIMER0_BASE) = SYSCLK_HZ / 10000 - 1;
    TIMER_CTRL(TIMER0_BASE) = 0x9; /* EN | IRQEN */
    uint32_t v1 = TIMER_VALUE(TIMER0_BASE);
    for (volatile int i = 0; i < 50; i++)
        ;
    uint32_t v2 = TIMER_VALUE(TIMER0_BASE);
    print("timer0 counts down: %s\n", v2 < v1 ? "yes" : "no");
    wait_for(&t0_count, 5);
    print("timer0 interrupts=%u CTRL=%x\n", t0_count, TIMER_CTRL(TIMER0_BASE));

    /* Timer1 without IRQEN: wraps (VALUE goes up again) but INTSTATUS is only latched with IRQEN. */
    TIMER_RELOAD(TIMER1_BASE) = 2500;
    TIMER_CTRL(TIMER1_BASE) = 0x1;
    uint32_t prev = TIMER_VALUE(TIMER1_BASE), cur;
    while ((cur = TIMER_VALUE(TIMER1_BASE)) <= prev) prev = cur;
    print("timer1 wrapped without IRQEN: INTSTATUS=%x\n", TIMER_INTSTATUS(TIMER1_BASE));
    TIMER_CTRL(TIMER1_BASE) = 0x9;
    wait_for(&t1_count, 1);
    print("timer1 interrupts=%u INTSTATUS=%x\n", t1_count, TIMER_INTSTATUS(TIMER1_BASE));

    /* Dual timer 1: periodic, 32-bit, prescale 1, interrupt enabled: 3 interrupts. */
    DT1_LOAD = 5000;
    DT1_CONTROL = 0xE2; /* ENABLE | MODE(periodic) | INTEN | SIZE(32) */
    wait_for(&dt_count, 3);
    print("dualtimer interrupts=%u RIS=%x MIS=%x CONTROL=%x\n", dt_count, DT1_RIS, DT1_MIS, DT1_CONTROL);

    /* Dual timer one-shot without interrupt enable: RIS set, MIS 0, no IRQ. */
    DT1_LOAD = 100;
    DT1_CONTROL = 0x83; /* ENABLE | ONESHOT | SIZE32, INTEN=0 */
    while (!(DT1_RIS & 1))
        ;
    print("oneshot: RIS=%x MIS=%x VALUE=%x dt_count=%u\n", DT1_RIS, DT1_MIS, DT1_VALUE, dt_count);
    DT1_INTCLR = 1;
    print("after INTCLR RIS=%x\n", DT1_RIS);

    /* UART0 TX interrupt: each completed byte raises INTSTATUS.TX (QEMU sends immediately). */
    nvic_enable(UART0_TX_IRQ);
    UART_CTRL(UART0_BASE) = 0x7; /* TX_EN | RX_EN | TX_INTEN */
    print("uart tx irq on\n");
    UART_CTRL(UART0_BASE) = 0x3;
    nvic_disable(UART0_TX_IRQ);
    print("uart tx interrupts=%u STATE=%x\n", tx_count, UART_STATE(UART0_BASE));

    /* Board registers. */
    print("SCC ID=%08x AID=%08x\n", SCC_ID, SCC_AID);
    SCC_CFG1 = 0x3;
    FPGAIO_LED0 = 0xff;
    print("SCC CFG1=%x FPGAIO LED0=%x\n", SCC_CFG1, FPGAIO_LED0);
    uint32_t c1 = FPGAIO_COUNTER;
    for (volatile int i = 0; i < 1000; i++)
        ;
    print("FPGAIO counter advances: %s\n", FPGAIO_COUNTER != c1 ? "yes" : "no");
    print("irq order:");
    for (uint32_t i = 0; i < order_n; i++) print(" %u", last_irq_order[i]);
    print("\n");
    return 0;
}
