/*
 * emboard's built-in demo for the mps2-an386 board (what `npm start` runs): prints a banner through
 * the CMSDK UART0, does a little integer and floating-point work, and exits through semihosting.
 * Self-contained: its own vector table and start-up, no C library.
 */
#include <stdint.h>

#define UART0_DATA (*(volatile uint32_t *)0x40004000u)
#define UART0_STATE (*(volatile uint32_t *)0x40004004u)
#define UART0_CTRL (*(volatile uint32_t *)0x40004008u)
#define UART0_BAUDDIV (*(volatile uint32_t *)0x40004010u)
#define SCB_CPUID (*(volatile uint32_t *)0xE000ED00u)
#define SCB_CPACR (*(volatile uint32_t *)0xE000ED88u)

extern uint32_t __stack_top;
void reset_handler(void);

__attribute__((section(".vectors"), used)) static const void *vectors[16] = {
    &__stack_top, (void *)reset_handler,
};

static void putc_uart(char c) {
  while (UART0_STATE & 1u) {
  }
  UART0_DATA = (uint8_t)c;
}

static void puts_uart(const char *s) {
  while (*s) {
    if (*s == '\n') putc_uart('\r');
    putc_uart(*s++);
  }
}

static void put_dec(uint32_t v) {
  char buf[11];
  int i = 10;
  buf[i] = 0;
  do {
    buf[--i] = (char)('0' + v % 10u);
    v /= 10u;
  } while (v);
  puts_uart(&buf[i]);
}

static void put_hex(uint32_t v) {
  static const char digits[] = "0123456789abcdef";
  puts_uart("0x");
  for (int s = 28; s >= 0; s -= 4) putc_uart(digits[(v >> s) & 15u]);
}

static uint32_t count_primes(uint32_t limit) {
  uint32_t n = 0;
  for (uint32_t i = 2; i < limit; i++) {
    uint32_t p = 1;
    for (uint32_t d = 2; d * d <= i; d++) {
      if (i % d == 0) {
        p = 0;
        break;
      }
    }
    n += p;
  }
  return n;
}

/* Newton's method in single precision: exercises the FPU (VDIV, VADD, VMUL). */
static float sqrt_newton(float x) {
  float g = x / 2.0f;
  for (int i = 0; i < 20; i++) g = 0.5f * (g + x / g);
  return g;
}

static void semihost_exit(void) {
  /* AArch32 SYS_EXIT: r1 holds the reason; ADP_Stopped_ApplicationExit means success. */
  register uint32_t r0 __asm__("r0") = 0x18u;
  register uint32_t r1 __asm__("r1") = 0x20026u;
  __asm__ volatile("bkpt 0xab" : : "r"(r0), "r"(r1) : "memory");
  for (;;) {
  }
}

void reset_handler(void) {
  SCB_CPACR |= 0xFu << 20; /* enable CP10/CP11 (the FPU) */
  __asm__ volatile("dsb\n isb");
  UART0_BAUDDIV = 16;
  UART0_CTRL = 1; /* TX enable */
  puts_uart("\nemboard demo on mps2-an386\n");
  puts_uart("CPUID ");
  put_hex(SCB_CPUID);
  puts_uart(" (Cortex-M4)\n");
  puts_uart("primes below 20000: ");
  put_dec(count_primes(20000));
  puts_uart("\n");
  float r = sqrt_newton(2.0f);
  puts_uart("sqrt(2) * 1e6 = ");
  put_dec((uint32_t)(r * 1000000.0f));
  puts_uart("\nbye\n");
  semihost_exit();
}
