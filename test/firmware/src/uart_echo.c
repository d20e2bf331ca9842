/*
 * UART0 receive path: RX interrupt (IRQ 0) fills a buffer until '\n'; main then echoes the line in upper
 * case with counts. The host side sends "hello, uart!\n" (test input).
 */
#include "rt.h"

#define UART0_RX_IRQ 0

static volatile char line[64];
static volatile uint32_t len, rx_irqs, done;

void IRQ_Handler(unsigned irq)
{
    if (irq != UART0_RX_IRQ) return;
    rx_irqs++;
    while (UART_STATE(UART0_BASE) & 2u) { /* RXFULL */
        char c = (char)UART_DATA(UART0_BASE);
        if (c == '\n') done = 1;
        else if (len < sizeof line - 1) line[len++] = c;
    }
    UART_INTSTATUS(UART0_BASE) = 2u; /* RX interrupt is W1C */
}

int main(void)
{
    print("uart echo test: type a line\n");
    nvic_enable(UART0_RX_IRQ);
    UART_CTRL(UART0_BASE) = 0x3 | 0x8; /* TX_EN | RX_EN | RX_INTEN */
    /* A byte that arrived while RX_INTEN was off sits in the buffer without an interrupt: go get it. */
    if (UART_STATE(UART0_BASE) & 2u) nvic_pend(UART0_RX_IRQ);
    disable_irq();
    while (!done) {
        wfi();
        enable_irq();
        isb();
        disable_irq();
    }
    enable_irq();
    line[len] = 0;
    print("got %u chars, %s RX interrupts\n", len, rx_irqs >= 1 ? "one or more" : "no");
    print("upper: ");
    for (uint32_t i = 0; i < len; i++) {
        char c = line[i];
        uart_putc(c >= 'a' && c <= 'z' ? (char)(c - 32) : c);
    }
    print("\nSTATE=%x INTSTATUS=%x\n", UART_STATE(UART0_BASE), UART_INTSTATUS(UART0_BASE));
    return 0;
}
