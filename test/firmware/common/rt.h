/*
 * Tiny bare-metal runtime for the emboard test programs on mps2-an386 (Cortex-M4F).
 * Register addresses follow QEMU's mps2-an386 model (hw/arm/mps2.c) and the CMSDK TRM.
 */
#ifndef RT_H
#define RT_H

#include "cortex-m4.h"

/* CMSDK APB UART0 */
#define UART0_BASE 0x40004000u
#define UART_DATA(b) REG32((b) + 0x00)
#define UART_STATE(b) REG32((b) + 0x04)
#define UART_CTRL(b) REG32((b) + 0x08)
#define UART_INTSTATUS(b) REG32((b) + 0x0c)
#define UART_BAUDDIV(b) REG32((b) + 0x10)

/* CMSDK APB timers and dual timer */
#define TIMER0_BASE 0x40000000u
#define TIMER1_BASE 0x40001000u
#define TIMER_CTRL(b) REG32((b) + 0x00)
#define TIMER_VALUE(b) REG32((b) + 0x04)
#define TIMER_RELOAD(b) REG32((b) + 0x08)
#define TIMER_INTSTATUS(b) REG32((b) + 0x0c)
#define DUALTIMER_BASE 0x40002000u

#define SYSCLK_HZ 25000000u

#endif
