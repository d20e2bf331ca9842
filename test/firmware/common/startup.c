/* Vector table, reset handler (.data copy, .bss zero, FPU enable) and default handlers. */
#include "cortex-m4.h"

/* Number of external interrupt vectors: 32 on mps2-an386, 86 on the STM32F411 (-DNUM_IRQ=86). */
#ifndef NUM_IRQ
#define NUM_IRQ 32
#endif

extern uint32_t __stack_top[];
extern uint32_t __data_load[], __data_start[], __data_end[];
extern uint32_t __bss_start[], __bss_end[];

void Reset_Handler(void) __attribute__((noreturn));

static void Default_Handler(void)
{
    unsigned n = get_ipsr() & 0x1ff;
    print("unexpected exception %u\n", n);
    sys_exit(100 + (int)n);
}

void NMI_Handler(void) __attribute__((weak, alias("Default_Handler")));
void HardFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void MemManage_Handler(void) __attribute__((weak, alias("Default_Handler")));
void BusFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void UsageFault_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void DebugMon_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));
void SysTick_Handler(void) __attribute__((weak, alias("Default_Handler")));

__attribute__((weak)) void IRQ_Handler(unsigned irq)
{
    (void)irq;
    Default_Handler();
}

/* One entry point for all external interrupts: the number comes from IPSR. */
static void IRQ_Dispatch(void)
{
    IRQ_Handler((get_ipsr() & 0x1ff) - 16);
}

typedef void (*vector_t)(void);

__attribute__((section(".vectors"), used)) const vector_t vector_table[16 + NUM_IRQ] = {
    (vector_t)__stack_top,
    Reset_Handler,
    NMI_Handler,
    HardFault_Handler,
    MemManage_Handler,
    BusFault_Handler,
    UsageFault_Handler,
    0, 0, 0, 0,
    SVC_Handler,
    DebugMon_Handler,
    0,
    PendSV_Handler,
    SysTick_Handler,
    [16 ... 16 + NUM_IRQ - 1] = IRQ_Dispatch,
};

void Reset_Handler(void)
{
    uint32_t *src = __data_load, *dst = __data_start;
    while (dst < __data_end) *dst++ = *src++;
    for (dst = __bss_start; dst < __bss_end;) *dst++ = 0;
    /* CP10/CP11 full access so FP instructions do not raise NOCP UsageFaults. */
    SCB_CPACR |= 0xFu << 20;
    dsb();
    isb();
    uart_init();
    sys_exit(main());
}
