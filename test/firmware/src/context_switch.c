/*
 * A tiny preemptive scheduler, the way RTOS ports do it: two unprivileged threads on PSP, switched by
 * PendSV at the lowest priority; a switch is requested by SVC (yield) or by an interrupt the thread
 * pends itself through STIR (CCR.USERSETMPEND), so the interleaving is deterministic. The switcher saves
 * r4-r11, EXC_RETURN and, when the frame is extended (EXC_RETURN bit 4 = 0), s16-s31, so FP values held
 * by a thread survive switches. The threads log the order they ran in; thread B prints it at the end
 * and asks for the exit with SVC #2 (semihosting needs privilege).
 */
#include "rt.h"

#define STACK_WORDS 512
#define SWITCH_IRQ 5

struct tcb {
    uint32_t *sp;
};

static uint32_t stack_a[STACK_WORDS] __attribute__((aligned(8)));
static uint32_t stack_b[STACK_WORDS] __attribute__((aligned(8)));
static struct tcb tcbs[2];
struct tcb *volatile current;
struct tcb *volatile next;

static char log_buf[128];
static volatile uint32_t log_n;
static volatile uint32_t switches, svcs, irqs;
static volatile int done_a;
static volatile uint32_t fp_ok_a, fp_ok_b;
static volatile uint32_t exc_returns[8];
static volatile uint32_t n_exc;

static void log_char(char c)
{
    if (log_n < sizeof log_buf - 1) log_buf[log_n++] = c;
}

/* PendSV: save the outgoing thread's callee-saved state on its PSP, restore the incoming one's. */
__attribute__((naked)) void PendSV_Handler(void)
{
    __asm volatile(
        "mrs r0, psp\n"
        "tst lr, #0x10\n"
        "it eq\n"
        "vstmdbeq r0!, {s16-s31}\n"
        "stmdb r0!, {r4-r11, lr}\n"
        "ldr r1, =current\n"
        "ldr r2, [r1]\n"
        "str r0, [r2]\n"
        "ldr r2, =next\n"
        "ldr r2, [r2]\n"
        "str r2, [r1]\n"
        "ldr r0, [r2]\n"
        "ldmia r0!, {r4-r11, lr}\n"
        "tst lr, #0x10\n"
        "it eq\n"
        "vldmiaeq r0!, {s16-s31}\n"
        "msr psp, r0\n"
        "push {r0, lr}\n"
        "mov r0, lr\n"
        "bl note_exc_return\n"
        "pop {r0, lr}\n"
        "bx lr\n");
}

__attribute__((used)) void note_exc_return(uint32_t e)
{
    if (n_exc < 8) exc_returns[n_exc++] = e;
}

static void request_switch(void)
{
    next = (current == &tcbs[0]) ? &tcbs[1] : &tcbs[0];
    switches++;
    SCB_ICSR = 1u << 28; /* PENDSVSET */
}

/* SVC #1 starts the first thread; SVC #0 yields. */
__attribute__((naked)) void SVC_Handler(void)
{
    __asm volatile(
        "mrs r0, psp\n"
        "tst lr, #4\n"
        "it eq\n"
        "mrseq r0, msp\n"
        "ldr r1, [r0, #24]\n"
        "ldrb r1, [r1, #-2]\n"
        "cmp r1, #1\n"
        "beq start_first\n"
        "cmp r1, #2\n"
        "beq svc_exit\n"
        "b svc_yield\n"
        "start_first:\n"
        "ldr r0, =current\n"
        "ldr r0, [r0]\n"
        "ldr r0, [r0]\n"
        "ldmia r0!, {r4-r11, lr}\n"
        "msr psp, r0\n"
        "bx lr\n");
}

/* Semihosting from unprivileged code is refused by QEMU (without userspace=on), so exit from handler mode. */
__attribute__((used)) void svc_exit(void) { sys_exit(0); }

__attribute__((used)) void svc_yield(void)
{
    svcs++;
    request_switch();
}

void IRQ_Handler(unsigned irq)
{
    if (irq == SWITCH_IRQ) {
        irqs++;
        request_switch();
    }
}

static void yield(void) { __asm volatile("svc #0" ::: "memory"); }
static void preempt_me(void) { NVIC_STIR = SWITCH_IRQ; __asm volatile("dsb\n isb" ::: "memory"); }

static float work(float x, int n)
{
    for (int i = 0; i < n; i++) x = x * 1.0001f + 0.5f;
    return x;
}

static void thread_a(void)
{
    float k1 = 1.25f, k2 = -3.0f;
    __asm volatile("" : "+w"(k1), "+w"(k2));
    float acc = 0;
    for (int i = 0; i < 6; i++) {
        log_char('a');
        acc += work(1.0f, 500);
        if (i == 1) yield();
        if (i == 3) preempt_me();
    }
    __asm volatile("" : "+w"(k1), "+w"(k2));
    fp_ok_a = k1 == 1.25f && k2 == -3.0f && acc > 0;
    done_a = 1;
    for (;;) yield();
}

static void thread_b(void)
{
    float k1 = -7.5f, k2 = 0.125f;
    __asm volatile("" : "+w"(k1), "+w"(k2));
    float acc = 0;
    for (int i = 0; i < 6; i++) {
        log_char('b');
        acc += work(2.0f, 700);
        if (i == 0) preempt_me();
        if (i == 2) yield();
        if (i == 4) yield();
    }
    __asm volatile("" : "+w"(k1), "+w"(k2));
    fp_ok_b = k1 == -7.5f && k2 == 0.125f && acc > 0;
    while (!done_a) yield();
    log_buf[log_n] = 0;
    print("order: %s\n", log_buf);
    print("switches=%u (svc %u, irq %u) fp kept: a=%u b=%u CONTROL=%x\n", switches, svcs, irqs, fp_ok_a, fp_ok_b,
          get_control());
    print("EXC_RETURN seen by the switcher:");
    for (uint32_t i = 0; i < n_exc; i++) print(" %08x", exc_returns[i]);
    print("\n");
    __asm volatile("svc #2" ::: "memory");
    for (;;)
        ;
}

static void init_stack(struct tcb *t, uint32_t *stack, void (*entry)(void))
{
    uint32_t *sp = stack + STACK_WORDS;
    *--sp = 0x01000000u;            /* xPSR: Thumb */
    *--sp = (uint32_t)entry | 1u;   /* PC */
    *--sp = 0;                      /* LR: threads never return */
    for (int i = 0; i < 5; i++) *--sp = 0; /* r12, r3-r0 */
    *--sp = 0xFFFFFFFDu;            /* EXC_RETURN: thread mode, PSP, basic frame */
    for (int i = 0; i < 8; i++) *--sp = 0; /* r11-r4 */
    t->sp = sp;
}

int main(void)
{
    print("context switch test\n");
    init_stack(&tcbs[0], stack_a, thread_a);
    init_stack(&tcbs[1], stack_b, thread_b);
    SCB_SHPR3 = 0xFFu << 16;     /* PendSV lowest */
    SCB_SHPR2 = 0x80u << 24;     /* SVCall */
    nvic_set_priority(SWITCH_IRQ, 0x80);
    nvic_enable(SWITCH_IRQ);
    SCB_CCR |= 1u << 1;          /* USERSETMPEND: unprivileged threads may write STIR */
    current = &tcbs[0];
    set_control(0x1);            /* unprivileged from now on (still on MSP until the first thread starts) */
    __asm volatile("svc #1" ::: "memory");
    for (;;)
        ;
}
