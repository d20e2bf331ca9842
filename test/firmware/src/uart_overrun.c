/*
 * UART0 receive overrun (CMSDK TRM: STATE.RXOVERRUN bit 3, W1C; INTSTATUS.RXO bit 3 with CTRL.RXO_INTEN;
 * on mps2-an386 the overruns of UART0-2 are ORed onto IRQ 12). The host types six bytes while the program
 * does not read DATA for ~20 ms: at 115200 baud every byte after the first finds RXFULL set and overruns,
 * leaving the last one in DATA. With emboard's --uart-instant the sender is flow-controlled instead: no
 * overrun, DATA holds the first byte and the others follow one per read.
 */
#include "rt.h"

#define UART_OVERRUN_IRQ 12

static void delay(uint32_t n)
{
    for (volatile uint32_t i = 0; i < n; i++)
        ;
}

int main(void)
{
    print("uart overrun test: type 6 bytes\n");
    UART_CTRL(UART0_BASE) = 0x3 | 0x20; /* TX_EN | RX_EN | RXO_INTEN; nothing reads DATA meanwhile */
    delay(100000);
    uint32_t state = UART_STATE(UART0_BASE), ints = UART_INTSTATUS(UART0_BASE);
    uint32_t pending = (NVIC_ISPR(0) >> UART_OVERRUN_IRQ) & 1u;
    char first = (char)UART_DATA(UART0_BASE);
    print("STATE=%x INTSTATUS=%x IRQ12 pending=%u DATA=%c\n", state, ints, pending, first);
    UART_STATE(UART0_BASE) = 8u; /* RXOVERRUN is write-1-to-clear; INTSTATUS.RXO follows it */
    print("after clearing: STATE=%x INTSTATUS=%x\n", UART_STATE(UART0_BASE), UART_INTSTATUS(UART0_BASE));
    print("rest: ");
    while (UART_STATE(UART0_BASE) & 2u) uart_putc((char)UART_DATA(UART0_BASE));
    print("\n");
    return 0;
}
