/* emboard: {"board": "NUCLEO_F411RE"} */
/* USB OTG FS register block (RM0383 §22): reset values, and the core initialisation polls a USB stack
 * does (AHB idle, core soft reset, mode switch, FIFO flushes) finish; no bus traffic. */
#include "f411.h"

#define OTG 0x50000000u
#define GOTGCTL REG32(OTG + 0x000)
#define GAHBCFG REG32(OTG + 0x008)
#define GUSBCFG REG32(OTG + 0x00C)
#define GRSTCTL REG32(OTG + 0x010)
#define GINTSTS REG32(OTG + 0x014)
#define GINTMSK REG32(OTG + 0x018)
#define GRXFSIZ REG32(OTG + 0x024)
#define GCCFG REG32(OTG + 0x038)
#define CID REG32(OTG + 0x03C)
#define HFIR REG32(OTG + 0x404)
#define DCFG REG32(OTG + 0x800)
#define DCTL REG32(OTG + 0x804)
#define DSTS REG32(OTG + 0x808)
#define DOEPCTL0 REG32(OTG + 0xB00)

static volatile unsigned otg_irqs;

void IRQ_Handler(unsigned irq)
{
    if (irq != 67) sys_exit(99);
    GINTMSK = 0;
    otg_irqs++;
}

static int poll(volatile uint32_t *reg, uint32_t mask, uint32_t want)
{
    for (unsigned i = 0; i < 200000; i++)
        if ((*reg & mask) == want) return 1;
    return 0;
}

int main(void)
{
    check("OTG_FS reads 0 with its clock off", CID, 0);
    RCC_AHB2ENR |= 1u << 7; /* OTGFSEN */
    check("CID", CID, 0x00001200u);
    check("GRSTCTL: AHBIDL", GRSTCTL, 0x80000000u);
    check("GINTSTS reset: PTXFE|NPTXFE, device mode", GINTSTS, 0x04000020u);
    check("GUSBCFG reset", GUSBCFG, 0x00000A00u);
    check("GRXFSIZ reset", GRXFSIZ, 0x200);
    check("HFIR reset", HFIR, 0xEA60);
    check("DCFG reset", DCFG, 0x02200000u);
    check("DSTS reset", DSTS, 0x10);
    check("DOEPCTL0 reset: USBAEP", DOEPCTL0, 0x8000);

    /* The usual core init: wait AHB idle, soft reset, wait CSRST clear. */
    check("AHB idle", poll(&GRSTCTL, 1u << 31, 1u << 31), 1);
    GRSTCTL |= 1u;
    check("core soft reset completes", poll(&GRSTCTL, 1u, 0), 1);
    GCCFG = 1u << 16; /* PWRDWN: transceiver on */
    check("GCCFG stored", GCCFG, 1u << 16);
    GUSBCFG |= 1u << 30; /* force device mode */
    check("CMOD = device", poll(&GINTSTS, 1u, 0), 1);
    GRSTCTL = (0x10u << 6) | (1u << 5); /* flush all TX FIFOs */
    check("TX FIFO flush completes", poll(&GRSTCTL, 1u << 5, 0), 1);
    GRSTCTL = 1u << 4;
    check("RX FIFO flush completes", poll(&GRSTCTL, 1u << 4, 0), 1);
    DCTL |= 1u << 1; /* soft disconnect */
    check("DCTL.SDIS", DCTL & 2u, 2u);
    GUSBCFG = (GUSBCFG & ~(1u << 30)) | (1u << 29); /* force host mode */
    check("CMOD = host", poll(&GINTSTS, 1u, 1u), 1);

    /* Interrupt path: the always-empty non-periodic TX FIFO, unmasked, with GINT. */
    nvic_enable(67);
    enable_irq();
    GINTMSK = 1u << 5;
    GAHBCFG = 1u;
    check("IRQ 67 from GINTSTS.NPTXFE & GINTMSK", otg_irqs, 1);
    check("GOTGCTL readable", GOTGCTL & 0xF00u, 0x800);
    return fails();
}
