/*
 * The framing of MicroPython's REPL over UART0, for emboard's serial tests (no Python inside):
 *  - friendly REPL: echoes typed characters, CR or LF gives a new ">>> " prompt;
 *  - Ctrl-A enters the raw REPL ("raw REPL; CTRL-B to exit\r\n>"), Ctrl-B leaves it (banner and ">>> "),
 *    Ctrl-C drops what was typed so far;
 *  - in the raw REPL, Ctrl-D ends a program: "OK", its output, Ctrl-D, its error text, Ctrl-D, ">".
 *    The "program" is not run: the output is "len=N sum=S\r\n" over its bytes (so a client can check that
 *    every byte, control bytes included, arrived), and the error part is "Error: raise\r\n" when the program
 *    contains "raise", empty otherwise.
 *  - Ctrl-D on an empty program is MicroPython's soft reset: "OK\r\nMPY: soft reboot\r\n", then the raw
 *    REPL banner again (what mpremote waits for when it connects);
 *  - Ctrl-E 'A' Ctrl-A on an empty program asks for raw-paste mode: answered "R\x00" (understood, not
 *    supported), so a client falls back to plain raw mode.
 * Input arrives through the RX interrupt; the core sleeps (WFI) while nothing is there.
 */
#include "rt.h"

#define UART0_RX_IRQ 0

void IRQ_Handler(unsigned irq)
{
    /* The byte stays in DATA (RXFULL); main reads it. Just acknowledge the interrupt. */
    if (irq == UART0_RX_IRQ) UART_INTSTATUS(UART0_BASE) = 2u;
}

static int getc_wait(void)
{
    disable_irq();
    while (!(UART_STATE(UART0_BASE) & 2u)) {
        wfi();
        enable_irq();
        isb();
        disable_irq();
    }
    enable_irq();
    return (int)(UART_DATA(UART0_BASE) & 0xff);
}

static char prog[1024];

static int contains(const char *s, uint32_t n, const char *w)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t j = 0;
        while (w[j] && i + j < n && s[i + j] == w[j]) j++;
        if (!w[j]) return 1;
    }
    return 0;
}

static void banner(void)
{
    uart_puts("emboard raw-REPL framing test\r\n>>> ");
}

int main(void)
{
    nvic_enable(UART0_RX_IRQ);
    UART_CTRL(UART0_BASE) = 0x3 | 0x8; /* TX_EN | RX_EN | RX_INTEN */
    banner();
    int raw = 0;
    uint32_t len = 0;
    for (;;) {
        int c = getc_wait();
        if (!raw) {
            if (c == 1) {
                raw = 1;
                len = 0;
                uart_puts("raw REPL; CTRL-B to exit\r\n>");
            } else if (c == 3) {
                uart_puts("\r\nKeyboardInterrupt\r\n>>> ");
            } else if (c == '\r' || c == '\n') {
                uart_puts("\r\n>>> ");
            } else {
                uart_putc((char)c);
            }
            continue;
        }
        if (c == 2) {
            raw = 0;
            uart_puts("\r\n");
            banner();
        } else if (c == 3) {
            len = 0;
        } else if (c == 4 && len == 0) {
            uart_puts("OK\r\nMPY: soft reboot\r\nraw REPL; CTRL-B to exit\r\n>");
        } else if (c == 5 && len == 0) {
            /* raw-paste request: Ctrl-E 'A' Ctrl-A; anything else is program text */
            int a = getc_wait();
            int b = a == 'A' ? getc_wait() : -1;
            if (a == 'A' && b == 1) {
                uart_putc('R');
                uart_putc(0);
            } else {
                prog[len++] = 5;
                prog[len++] = (char)a;
                if (b >= 0) prog[len++] = (char)b;
            }
        } else if (c == 4) {
            uint32_t sum = 0;
            for (uint32_t i = 0; i < len; i++) sum += (uint8_t)prog[i];
            uart_puts("OK");
            print("len=%u sum=%u\r\n", len, sum);
            uart_putc(4);
            if (contains(prog, len, "raise")) uart_puts("Error: raise\r\n");
            uart_putc(4);
            uart_putc('>');
            len = 0;
        } else if (len < sizeof prog) {
            prog[len++] = (char)c;
        }
    }
}
