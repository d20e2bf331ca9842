/* emboard: {"board": "NUCLEO_F411RE", "timeoutMs": 2000} */
/* Interrupt-driven GPIO/EXTI and timer, and flash programming errors, at register level (RM0383):
 * 1. EXTI0 on PA0 (SYSCFG_EXTICR1 = port A), rising edge only: the program drives PA0 itself (the input
 *    stage sees the output), two rising and two falling edges give two EXTI0 interrupts (IRQ 6), SWIER one more.
 * 2. TIM2 at the 16 MHz HSI: PSC 15, ARR 999 → an update interrupt (IRQ 28) every 1 ms; SysTick counts
 *    10 ms meanwhile and sees 10 updates (±1).
 * 3. FLASH: a write without PG is PGSERR, a byte write with PSIZE x32 is PGPERR, both change nothing;
 *    a correct x32 word program ANDs into flash, EOP with EOPIE. */
#include "f411.h"

#define SYSCFG_EXTICR1 REG32(0x40013808)
#define EXTI_IMR REG32(0x40013C00)
#define EXTI_RTSR REG32(0x40013C08)
#define EXTI_FTSR REG32(0x40013C0C)
#define EXTI_SWIER REG32(0x40013C10)
#define EXTI_PR REG32(0x40013C14)
#define TIM2_BASE 0x40000000u
#define TIM2_CR1 REG32(TIM2_BASE + 0x00)
#define TIM2_DIER REG32(TIM2_BASE + 0x0C)
#define TIM2_SR REG32(TIM2_BASE + 0x10)
#define TIM2_EGR REG32(TIM2_BASE + 0x14)
#define TIM2_PSC REG32(TIM2_BASE + 0x28)
#define TIM2_ARR REG32(TIM2_BASE + 0x2C)
#define FLASH_KEYR REG32(0x40023C04)
#define FLASH_SR REG32(0x40023C0C)
#define FLASH_CR REG32(0x40023C10)
#define SR_EOP (1u << 0)
#define SR_PGPERR (1u << 6)
#define SR_PGSERR (1u << 7)
#define SR_BSY (1u << 16)
#define CR_PG (1u << 0)
#define CR_PSIZE_X32 (2u << 8)
#define CR_EOPIE (1u << 24)
/* The last word of flash: erased in every image. */
#define TARGET 0x0807FFF0u

static volatile unsigned exti0, tim2_updates, flash_irqs;

void IRQ_Handler(unsigned irq)
{
    if (irq == 6) { /* EXTI0 */
        EXTI_PR = 1u;
        exti0++;
    } else if (irq == 28) { /* TIM2 */
        TIM2_SR = ~1u;
        tim2_updates++;
    } else if (irq == 4) { /* FLASH */
        FLASH_SR = SR_EOP;
        flash_irqs++;
    } else {
        print("unexpected IRQ %u\n", irq);
        sys_exit(99);
    }
}

static void pa0(unsigned level)
{
    GPIO_BSRR('A') = level ? 1u : 1u << 16;
    for (volatile int i = 0; i < 10; i++)
        ;
}

int main(void)
{
    /* --- EXTI0 from PA0 --- */
    gpio_output('A', 0);
    RCC_APB2ENR |= 1u << 14; /* SYSCFGEN */
    SYSCFG_EXTICR1 = 0;      /* EXTI0 = PA0 */
    EXTI_RTSR |= 1u;
    EXTI_FTSR &= ~1u;
    EXTI_IMR |= 1u;
    nvic_enable(6);
    enable_irq();
    pa0(1);
    pa0(0);
    pa0(1);
    pa0(0);
    check("EXTI0: one interrupt per rising edge, none for falling ones", exti0, 2);
    EXTI_SWIER = 1u;
    for (volatile int i = 0; i < 10; i++)
        ;
    check("EXTI0: SWIER raises it once more", exti0, 3);
    check("EXTI_PR cleared by the handler (write 1)", EXTI_PR & 1u, 0);
    EXTI_IMR &= ~1u;
    pa0(1);
    check("EXTI0 masked: no interrupt", exti0, 3);
    check("masked line does not become pending", EXTI_PR & 1u, 0);

    /* --- TIM2 update interrupt --- */
    RCC_APB1ENR |= 1u; /* TIM2EN */
    TIM2_PSC = 15;
    TIM2_ARR = 999;
    TIM2_EGR = 1; /* UG: load PSC */
    TIM2_SR = 0;
    TIM2_DIER = 1; /* UIE */
    nvic_enable(28);
    SYST_RVR = 16000 - 1;
    SYST_CVR = 0;
    SYST_CSR = 5; /* processor clock, no interrupt */
    TIM2_CR1 = 1;
    for (unsigned ms = 0; ms < 10; ms++)
        while (!(SYST_CSR & (1u << 16)))
            ;
    TIM2_CR1 = 0;
    SYST_CSR = 0;
    check("TIM2: 10 update interrupts in 10 ms (+-1)", tim2_updates >= 9 && tim2_updates <= 11, 1);

    /* --- FLASH programming errors --- */
    FLASH_KEYR = 0x45670123u;
    FLASH_KEYR = 0xCDEF89ABu;
    FLASH_CR = CR_PSIZE_X32 | CR_EOPIE;
    nvic_enable(4);
    REG32(TARGET) = 0x12345678u; /* no PG */
    check("write without PG: PGSERR", FLASH_SR & SR_PGSERR, SR_PGSERR);
    check("write without PG: flash unchanged", REG32(TARGET), 0xFFFFFFFFu);
    FLASH_SR = SR_PGSERR;
    check("PGSERR cleared by writing 1", FLASH_SR & SR_PGSERR, 0);
    FLASH_CR |= CR_PG;
    *(volatile uint8_t *)TARGET = 0x00; /* byte access with PSIZE x32 */
    while (FLASH_SR & SR_BSY)
        ;
    check("byte write with PSIZE x32: PGPERR", FLASH_SR & SR_PGPERR, SR_PGPERR);
    check("byte write with PSIZE x32: flash unchanged", REG32(TARGET), 0xFFFFFFFFu);
    FLASH_SR = SR_PGPERR;
    REG32(TARGET) = 0xF0F0FF00u;
    while (FLASH_SR & SR_BSY)
        ;
    REG32(TARGET) = 0x0FF0F0FFu; /* programming again only clears bits */
    while (FLASH_SR & SR_BSY)
        ;
    check("two x32 programs: new = old AND data", REG32(TARGET), 0x00F0F000u);
    check("EOP interrupts (EOPIE): one per program", flash_irqs, 2);
    check("no error flags left", FLASH_SR & 0xF2u, 0);
    FLASH_CR = 1u << 31; /* LOCK */
    return fails();
}
