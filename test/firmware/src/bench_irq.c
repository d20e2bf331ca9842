/*
 * Interrupt-heavy benchmark (bench/irq.ts): SysTick at 1 kHz, one UART0 RX interrupt per received byte,
 * and a WFI idle loop in between. It runs until TICKS SysTick interrupts have been taken and RX_BYTES bytes
 * received (2 s of virtual time when the input arrives in time), then prints what it handled and a checksum
 * of the bytes. The output does not depend on when the bytes arrived, so emboard (bytes at a fixed virtual
 * rate) and QEMU (bytes from stdin, as fast as the guest takes them) print the same text.
 */
#include "rt.h"

#ifndef TICKS
#define TICKS 2000u
#endif
#ifndef RX_BYTES
#define RX_BYTES 1000u
#endif
#define UART0_RX_IRQ 0

static volatile uint32_t ticks, rx_bytes, rx_sum, rx_irqs_without_byte;

void SysTick_Handler(void) { ticks++; }

void IRQ_Handler(unsigned irq)
{
    if (irq != UART0_RX_IRQ) return;
    UART_INTSTATUS(UART0_BASE) = 2u; /* RX interrupt is W1C */
    if (UART_STATE(UART0_BASE) & 2u) { /* RXFULL: one byte per interrupt (the CMSDK UART buffers one) */
        uint32_t c = UART_DATA(UART0_BASE) & 0xffu;
        rx_sum = (rx_sum * 31u + c) ^ (rx_sum >> 27);
        rx_bytes++;
    } else {
        rx_irqs_without_byte++;
    }
}

int main(void)
{
    print("irq bench: %u ticks at 1 kHz, %u RX bytes\n", TICKS, RX_BYTES);
    nvic_enable(UART0_RX_IRQ);
    UART_CTRL(UART0_BASE) = 0x3 | 0x8; /* TX_EN | RX_EN | RX_INTEN */
    if (UART_STATE(UART0_BASE) & 2u) nvic_pend(UART0_RX_IRQ); /* a byte that came before RX_INTEN */
    SYST_RVR = SYSCLK_HZ / 1000 - 1;
    SYST_CVR = 0;
    SYST_CSR = 0x7; /* ENABLE | TICKINT | CLKSOURCE */
    disable_irq();
    while (ticks < TICKS || rx_bytes < RX_BYTES) {
        wfi(); /* a pending interrupt wakes it even with PRIMASK set; it is taken after enable_irq */
        enable_irq();
        isb();
        disable_irq();
    }
    SYST_CSR = 0;
    enable_irq();
    print("rx bytes %u checksum %08x, spurious rx irqs %u, ticks >= %u: %s\n", rx_bytes, rx_sum,
          rx_irqs_without_byte, TICKS, ticks >= TICKS ? "yes" : "no");
    return 0;
}
