/* USART2 console (the NUCLEO_F411RE virtual COM port, PA2/PA3 AF7) at 115200 from HSI, plus the shared runtime. */
#include <stdarg.h>
#include "f411.h"

void gpio_af(char port, unsigned pin, unsigned af)
{
    RCC_AHB1ENR |= 1u << (port == 'H' ? 7 : port - 'A');
    GPIO_AFR(port, pin >> 3) = (GPIO_AFR(port, pin >> 3) & ~(0xFu << 4 * (pin & 7))) | af << 4 * (pin & 7);
    GPIO_MODER(port) = (GPIO_MODER(port) & ~(3u << 2 * pin)) | 2u << 2 * pin;
}

void gpio_output(char port, unsigned pin)
{
    RCC_AHB1ENR |= 1u << (port == 'H' ? 7 : port - 'A');
    GPIO_MODER(port) = (GPIO_MODER(port) & ~(3u << 2 * pin)) | 1u << 2 * pin;
}

void uart_init(void)
{
    gpio_af('A', 2, 7);
    gpio_af('A', 3, 7);
    RCC_APB1ENR |= 1u << 17; /* USART2EN */
    USART_BRR(USART2_BASE) = (HSI_HZ + 115200 / 2) / 115200; /* 0x8B: 16x oversampling */
    USART_CR1(USART2_BASE) = (1u << 13) | (1u << 3) | (1u << 2); /* UE | TE | RE */
}

void uart_putc(char c)
{
    while (!(USART_SR(USART2_BASE) & (1u << 7))) /* TXE */
        ;
    USART_DR(USART2_BASE) = (uint8_t)c;
}

void uart_puts(const char *s)
{
    while (*s) uart_putc(*s++);
}

static int failures;

void check(const char *what, uint32_t got, uint32_t want)
{
    if (got == want) {
        print("ok %s\n", what);
    } else {
        failures++;
        print("FAIL %s: got 0x%08x want 0x%08x\n", what, got, want);
    }
}

int fails(void) { return failures; }

/* TC: the shift register has sent the last bit. */
#define UART_FLUSH() while (!(USART_SR(USART2_BASE) & (1u << 6)))
#include "../../common/rtlib.inc.c"
