/*
 * Exception model: SVC (number and arguments from the stacked frame), PendSV, NVIC priorities,
 * preemption, tail-chaining, PRIMASK and BASEPRI masking, SHPR priorities, EXC_RETURN values.
 * The output is the order in which handlers ran, so any difference in the exception logic shows up.
 */
#include "rt.h"

#define IRQ_A 26
#define IRQ_B 27
#define IRQ_C 28
#define IRQ_D 29

static volatile int phase;
static volatile uint32_t svc_result;

/* SVC: the immediate is in the SVC instruction before the stacked return address. */
__attribute__((naked)) void SVC_Handler(void)
{
    __asm volatile(
        "tst lr, #4\n"
        "ite eq\n"
        "mrseq r0, msp\n"
        "mrsne r0, psp\n"
        "mov r1, lr\n"
        "b svc_c\n");
}

__attribute__((used)) void svc_c(uint32_t *frame, uint32_t exc_return)
{
    uint16_t insn = *(uint16_t *)(frame[6] - 2);
    unsigned imm = insn & 0xff;
    print("SVC #%u r0=%u r1=%u ipsr=%u exc_return=%08x\n", imm, frame[0], frame[1], get_ipsr(), exc_return);
    if (imm == 1) frame[0] = frame[0] + frame[1]; /* result returned in r0 */
    if (imm == 2) frame[0] = frame[0] * frame[1];
}

static uint32_t svc_add(uint32_t a, uint32_t b)
{
    register uint32_t r0 __asm("r0") = a;
    register uint32_t r1 __asm("r1") = b;
    __asm volatile("svc #1" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static uint32_t svc_mul(uint32_t a, uint32_t b)
{
    register uint32_t r0 __asm("r0") = a;
    register uint32_t r1 __asm("r1") = b;
    __asm volatile("svc #2" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void PendSV_Handler(void)
{
    print("PendSV ipsr=%u phase=%d\n", get_ipsr(), phase);
    if (phase == 2) {
        /* PendSV at lowest priority: the IRQ pended here preempts as soon as it is pended. */
        nvic_pend(IRQ_D);
        print("PendSV end\n");
    }
}

void IRQ_Handler(unsigned irq)
{
    char name = (char)('A' + (irq - IRQ_A));
    print("IRQ %c start (ipsr=%u)\n", name, get_ipsr());
    switch (phase) {
    case 1:
        /* A (low) pends B (high): B preempts A immediately. B pends C (lower than B, higher than A): C
         * cannot preempt B, so it runs after B, before A resumes. */
        if (irq == IRQ_A) nvic_pend(IRQ_B);
        if (irq == IRQ_B) {
            nvic_pend(IRQ_C);
            print("IRQ B after pending C: ICSR.VECTPENDING=%u RETTOBASE=%u\n", (SCB_ICSR >> 12) & 0x1ff,
                  (SCB_ICSR >> 11) & 1);
        }
        break;
    case 3:
        /* Same priority: no preemption, tail-chained in IRQ-number order. */
        if (irq == IRQ_C) {
            nvic_pend(IRQ_A);
            nvic_pend(IRQ_B);
        }
        break;
    default:
        break;
    }
    print("IRQ %c end\n", name);
}

static void set_prio(void)
{
    nvic_set_priority(IRQ_A, 0xC0);
    nvic_set_priority(IRQ_B, 0x40);
    nvic_set_priority(IRQ_C, 0x80);
    nvic_set_priority(IRQ_D, 0x20);
}

int main(void)
{
    print("exceptions test\n");

    /* 1. SVC with arguments and a result, from thread mode on MSP. */
    uint32_t s = svc_add(40, 2);
    uint32_t m = svc_mul(6, 7);
    print("svc results %u %u\n", s, m);

    /* 2. Priorities, preemption and tail-chaining. */
    set_prio();
    for (unsigned i = IRQ_A; i <= IRQ_D; i++) nvic_enable(i);
    phase = 1;
    nvic_pend(IRQ_A);
    dsb();
    isb();
    print("after phase 1\n");

    /* 3. PRIMASK: everything waits, then runs in priority order (D, B, C, A). */
    phase = 0;
    disable_irq();
    nvic_pend(IRQ_A);
    nvic_pend(IRQ_C);
    nvic_pend(IRQ_B);
    nvic_pend(IRQ_D);
    print("masked: ISPR=%08x primask=%u\n", NVIC_ISPR(0), get_primask());
    enable_irq();
    isb();
    print("after PRIMASK release\n");

    /* 4. BASEPRI = 0x80 blocks priorities 0x80..0xFF (C and A) but not B (0x40). */
    set_basepri(0x80);
    nvic_pend(IRQ_A);
    nvic_pend(IRQ_C);
    nvic_pend(IRQ_B);
    isb();
    print("BASEPRI=%x: pending ISPR=%08x\n", get_basepri(), NVIC_ISPR(0));
    set_basepri(0);
    isb();
    print("after BASEPRI release\n");

    /* 5. Equal priorities: numbered order, and an IRQ pended by a same-priority handler waits. */
    phase = 3;
    for (unsigned i = IRQ_A; i <= IRQ_C; i++) nvic_set_priority(i, 0x60);
    nvic_pend(IRQ_C);
    isb();
    print("after phase 3\n");

    /* 6. PendSV at the lowest priority, preempted by an IRQ it pends. */
    phase = 2;
    SCB_SHPR3 = (SCB_SHPR3 & ~0x00ff0000u) | (0xE0u << 16);
    SCB_ICSR = 1u << 28; /* PENDSVSET */
    isb();
    print("after PendSV\n");

    /* 7. STIR triggers an interrupt like ISPR. */
    phase = 0;
    NVIC_STIR = IRQ_C;
    dsb();
    isb();
    print("after STIR\n");

    /* 8. Active bits while a handler runs are visible in IABR (read from the handler). */
    print("IABR idle=%08x\n", NVIC_IABR(0));
    print("done\n");
    return 0;
}
