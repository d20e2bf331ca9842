/*
 * STM32F411 test-program runtime: core registers from cortex-m4.h plus the peripherals every program
 * needs (RCC, GPIO, USART console). Addresses and bits from RM0383; programs define the rest themselves.
 */
#ifndef F411_H
#define F411_H

#include "../../common/cortex-m4.h"

/* Reset clock is HSI 16 MHz; the runtime does not touch the clock tree (programs that test it do). */
#define HSI_HZ 16000000u

#define RCC_BASE 0x40023800u
#define RCC_CR REG32(RCC_BASE + 0x00)
#define RCC_PLLCFGR REG32(RCC_BASE + 0x04)
#define RCC_CFGR REG32(RCC_BASE + 0x08)
#define RCC_CIR REG32(RCC_BASE + 0x0C)
#define RCC_AHB1RSTR REG32(RCC_BASE + 0x10)
#define RCC_AHB2RSTR REG32(RCC_BASE + 0x14)
#define RCC_APB1RSTR REG32(RCC_BASE + 0x20)
#define RCC_APB2RSTR REG32(RCC_BASE + 0x24)
#define RCC_AHB1ENR REG32(RCC_BASE + 0x30)
#define RCC_AHB2ENR REG32(RCC_BASE + 0x34)
#define RCC_APB1ENR REG32(RCC_BASE + 0x40)
#define RCC_APB2ENR REG32(RCC_BASE + 0x44)
#define RCC_BDCR REG32(RCC_BASE + 0x70)
#define RCC_CSR REG32(RCC_BASE + 0x74)

#define GPIO_BASE(port) (0x40020000u + 0x400u * (uint32_t)((port) - 'A'))
#define GPIO_MODER(p) REG32(GPIO_BASE(p) + 0x00)
#define GPIO_OTYPER(p) REG32(GPIO_BASE(p) + 0x04)
#define GPIO_OSPEEDR(p) REG32(GPIO_BASE(p) + 0x08)
#define GPIO_PUPDR(p) REG32(GPIO_BASE(p) + 0x0C)
#define GPIO_IDR(p) REG32(GPIO_BASE(p) + 0x10)
#define GPIO_ODR(p) REG32(GPIO_BASE(p) + 0x14)
#define GPIO_BSRR(p) REG32(GPIO_BASE(p) + 0x18)
#define GPIO_AFR(p, n) REG32(GPIO_BASE(p) + 0x20 + 4u * (n))

#define USART1_BASE 0x40011000u
#define USART2_BASE 0x40004400u
#define USART6_BASE 0x40011400u
#define USART_SR(b) REG32((b) + 0x00)
#define USART_DR(b) REG32((b) + 0x04)
#define USART_BRR(b) REG32((b) + 0x08)
#define USART_CR1(b) REG32((b) + 0x0C)
#define USART_CR2(b) REG32((b) + 0x10)
#define USART_CR3(b) REG32((b) + 0x14)

/* IRQ numbers (RM0383 table 37) of the peripherals above. */
#define USART1_IRQn 37
#define USART2_IRQn 38
#define USART6_IRQn 71

/* Puts a GPIO pin in alternate-function mode `af` (enables the port's clock). */
void gpio_af(char port, unsigned pin, unsigned af);
/* General-purpose output (enables the port's clock). */
void gpio_output(char port, unsigned pin);

/* Test bookkeeping: check() prints "ok <what>" or "FAIL <what>: got X want Y" and counts failures;
 * main returns fails() so the semihosting exit status is the number of failed checks. */
void check(const char *what, uint32_t got, uint32_t want);
int fails(void);

#endif
