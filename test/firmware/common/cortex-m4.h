/* Cortex-M4 core registers and the runtime every test program shares (mps2-an386 and STM32F411). */
#ifndef CORTEX_M4_H
#define CORTEX_M4_H

#include <stdint.h>
#include <stddef.h>

#define REG32(addr) (*(volatile uint32_t *)(addr))

/* System control space */
#define SCB_ICSR REG32(0xE000ED04)
#define SCB_VTOR REG32(0xE000ED08)
#define SCB_AIRCR REG32(0xE000ED0C)
#define SCB_SCR REG32(0xE000ED10)
#define SCB_CCR REG32(0xE000ED14)
#define SCB_SHPR1 REG32(0xE000ED18)
#define SCB_SHPR2 REG32(0xE000ED1C)
#define SCB_SHPR3 REG32(0xE000ED20)
#define SCB_SHCSR REG32(0xE000ED24)
#define SCB_CFSR REG32(0xE000ED28)
#define SCB_HFSR REG32(0xE000ED2C)
#define SCB_MMFAR REG32(0xE000ED34)
#define SCB_BFAR REG32(0xE000ED38)
#define SCB_CPACR REG32(0xE000ED88)
#define FPU_FPCCR REG32(0xE000EF34)
#define FPU_FPCAR REG32(0xE000EF38)
#define SYST_CSR REG32(0xE000E010)
#define SYST_RVR REG32(0xE000E014)
#define SYST_CVR REG32(0xE000E018)
#define NVIC_ISER(n) REG32(0xE000E100 + 4 * (n))
#define NVIC_ICER(n) REG32(0xE000E180 + 4 * (n))
#define NVIC_ISPR(n) REG32(0xE000E200 + 4 * (n))
#define NVIC_ICPR(n) REG32(0xE000E280 + 4 * (n))
#define NVIC_IABR(n) REG32(0xE000E300 + 4 * (n))
#define NVIC_IPR8(n) (*(volatile uint8_t *)(0xE000E400 + (n)))
#define NVIC_STIR REG32(0xE000EF00)
#define MPU_TYPE REG32(0xE000ED90)
#define MPU_CTRL REG32(0xE000ED94)
#define MPU_RNR REG32(0xE000ED98)
#define MPU_RBAR REG32(0xE000ED9C)
#define MPU_RASR REG32(0xE000EDA0)

void uart_init(void);
void uart_putc(char c);
void uart_puts(const char *s);
/* printf subset: %d %u %x %X %c %s %% with optional '0' flag and width; %l ignored. */
void print(const char *fmt, ...);

/* Ends the program through semihosting: status 0 uses SYS_EXIT(ADP_Stopped_ApplicationExit), others SYS_EXIT_EXTENDED. */
void sys_exit(int status) __attribute__((noreturn));

void nvic_enable(unsigned irq);
void nvic_disable(unsigned irq);
void nvic_pend(unsigned irq);
void nvic_set_priority(unsigned irq, uint8_t prio);

static inline void enable_irq(void) { __asm volatile("cpsie i" ::: "memory"); }
static inline void disable_irq(void) { __asm volatile("cpsid i" ::: "memory"); }
static inline void dsb(void) { __asm volatile("dsb" ::: "memory"); }
static inline void isb(void) { __asm volatile("isb" ::: "memory"); }
static inline void wfi(void) { __asm volatile("wfi" ::: "memory"); }
static inline uint32_t get_ipsr(void) { uint32_t v; __asm volatile("mrs %0, ipsr" : "=r"(v)); return v; }
static inline uint32_t get_control(void) { uint32_t v; __asm volatile("mrs %0, control" : "=r"(v)); return v; }
static inline void set_control(uint32_t v) { __asm volatile("msr control, %0\n isb" ::"r"(v) : "memory"); }
static inline uint32_t get_primask(void) { uint32_t v; __asm volatile("mrs %0, primask" : "=r"(v)); return v; }
static inline void set_basepri(uint32_t v) { __asm volatile("msr basepri, %0\n isb" ::"r"(v) : "memory"); }
static inline uint32_t get_basepri(void) { uint32_t v; __asm volatile("mrs %0, basepri" : "=r"(v)); return v; }

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);

/* Handlers a program may define (weak defaults report the exception and exit with status 100 + number). */
void NMI_Handler(void);
void HardFault_Handler(void);
void MemManage_Handler(void);
void BusFault_Handler(void);
void UsageFault_Handler(void);
void SVC_Handler(void);
void DebugMon_Handler(void);
void PendSV_Handler(void);
void SysTick_Handler(void);
void IRQ_Handler(unsigned irq); /* called for every external interrupt */

int main(void);

#endif
