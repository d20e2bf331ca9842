/* emboard: {"board": "NUCLEO_F411RE", "input": {"after": ">>> ", "text": "\r"}} */
/*
 * Boot-benchmark fixture (bench/boot.ts): the clock set-up MicroPython's stm32 port does on a NUCLEO-F411RE
 * (HSE 8 MHz bypass, PLL M=8 N=192 P=2 Q=4 -> 96 MHz, 3 flash wait states, APB1 /4 so USART2 runs from
 * 24 MHz at BRR 0xD0; RM0383 §3.4, §6.3), then a banner and a `>>> ` prompt on USART2, then it sleeps
 * until a line comes in by interrupt. Enter ends it (exit 0 when the read-backs after the prompt agree).
 */
#include "f411.h"

#define FLASH_ACR REG32(0x40023C00)
#define PWR_CR REG32(0x40007000)

#define CR_HSEON (1u << 16)
#define CR_HSERDY (1u << 17)
#define CR_HSEBYP (1u << 18)
#define CR_PLLON (1u << 24)
#define CR_PLLRDY (1u << 25)

static volatile uint32_t got_line;

void IRQ_Handler(unsigned irq)
{
    if (irq == USART2_IRQn && (USART_SR(USART2_BASE) & (1u << 5))) { /* RXNE */
        uint8_t b = (uint8_t)USART_DR(USART2_BASE);
        if (b == '\r' || b == '\n') got_line = 1;
    }
}

int main(void)
{
    RCC_APB1ENR |= 1u << 28; /* PWREN */
    PWR_CR |= 3u << 14;      /* VOS scale 1 */
    RCC_CR |= CR_HSEBYP;
    RCC_CR |= CR_HSEON;
    while (!(RCC_CR & CR_HSERDY))
        ;
    RCC_PLLCFGR = 8u | 192u << 6 | 0u << 16 | 1u << 22 | 4u << 24 | 1u << 29; /* HSE, M=8 N=192 P=2 Q=4 */
    RCC_CR |= CR_PLLON;
    while (!(RCC_CR & CR_PLLRDY))
        ;
    FLASH_ACR = (FLASH_ACR & ~0xFu) | 3u | 7u << 8; /* LATENCY 3, PRFTEN ICEN DCEN */
    while (!(USART_SR(USART2_BASE) & (1u << 6)))    /* TC: nothing in flight at the HSI baud rate */
        ;
    RCC_CFGR = (RCC_CFGR & ~0xFCF0u) | 5u << 10 | 4u << 13; /* HPRE /1, PPRE1 /4, PPRE2 /2 */
    RCC_CFGR = (RCC_CFGR & ~3u) | 2u;                         /* SW = PLL */
    while ((RCC_CFGR & 0xCu) != 0x8u)
        ;
    USART_BRR(USART2_BASE) = 0xD0; /* 24 MHz / 208 = 115384 baud */

    print("emboard prompt fixture; STM32F411 at 96 MHz\n");
    print(">>> ");
    USART_CR1(USART2_BASE) |= 1u << 5; /* RXNEIE */
    NVIC_ISER(USART2_IRQn / 32) = 1u << (USART2_IRQn % 32);
    /* PRIMASK set around the test: a byte arriving between the test and WFI still wakes it (pending IRQ). */
    for (;;) {
        __asm volatile("cpsid i" ::: "memory");
        if (got_line) break;
        wfi();
        __asm volatile("cpsie i" ::: "memory");
    }
    __asm volatile("cpsie i" ::: "memory");
    print("\n");
    check("SYSCLK from the PLL (SWS)", RCC_CFGR & 0xCu, 0x8u);
    check("FLASH_ACR.LATENCY", FLASH_ACR & 0xFu, 3);
    check("USART2_BRR", USART_BRR(USART2_BASE), 0xD0);
    return fails();
}
