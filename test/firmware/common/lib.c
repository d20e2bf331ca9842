/* UART0 console, a printf subset, semihosting exit, NVIC helpers, memcpy/memset. */
#include <stdarg.h>
#include "rt.h"

void uart_init(void)
{
    UART_BAUDDIV(UART0_BASE) = 16;       /* fastest legal divider: 25 MHz / 16 */
    UART_CTRL(UART0_BASE) = 0x3;         /* TX_EN | RX_EN */
}

void uart_putc(char c)
{
    while (UART_STATE(UART0_BASE) & 1u) /* TXFULL */
        ;
    UART_DATA(UART0_BASE) = (uint8_t)c;
}

void uart_puts(const char *s)
{
    while (*s) uart_putc(*s++);
}

#define UART_FLUSH() while (UART_STATE(UART0_BASE) & 1u)
#include "rtlib.inc.c"
