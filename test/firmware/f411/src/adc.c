/* emboard: {"board": "NUCLEO_F411RE", "options": {"adcVolts": {"PA0": 1.65, "PA1": 0.5, "PC0": 3.0}}} */
/* ADC1 (RM0383 §11): board-set pin voltages, conversion time from ADCCLK and SMP, EOC interrupt (IRQ 18),
 * scan sequence, 8-bit left alignment, VREFINT and temperature sensor against the factory calibration. */
#include "f411.h"

#define ADC_SR REG32(0x40012000)
#define ADC_CR1 REG32(0x40012004)
#define ADC_CR2 REG32(0x40012008)
#define ADC_SMPR1 REG32(0x4001200C)
#define ADC_SMPR2 REG32(0x40012010)
#define ADC_SQR1 REG32(0x4001202C)
#define ADC_SQR3 REG32(0x40012034)
#define ADC_DR REG32(0x4001204C)
#define ADC_CCR REG32(0x40012304)
#define VREFINT_CAL (*(volatile uint16_t *)0x1FFF7A2A)
#define TS_CAL1 (*(volatile uint16_t *)0x1FFF7A2C)
#define TS_CAL2 (*(volatile uint16_t *)0x1FFF7A2E)

#define SR_EOC (1u << 1)
#define SR_STRT (1u << 4)
#define CR2_ADON (1u << 0)
#define CR2_EOCS (1u << 10)
#define CR2_ALIGN (1u << 11)
#define CR2_SWSTART (1u << 30)

static volatile unsigned eoc_irqs;
static volatile uint32_t irq_data;

void IRQ_Handler(unsigned irq)
{
    if (irq != 18) sys_exit(99);
    irq_data = ADC_DR; /* reading DR clears EOC */
    eoc_irqs++;
}

static uint32_t convert(unsigned ch)
{
    ADC_SQR3 = ch;
    ADC_CR2 |= CR2_SWSTART;
    while (!(ADC_SR & SR_EOC))
        ;
    return ADC_DR;
}

int main(void)
{
    ADC_CR2 = CR2_ADON;
    check("ADC1 ignores writes with its clock off", ADC_CR2, 0);
    RCC_APB2ENR |= 1u << 8; /* ADC1EN */
    check("ADC_SR reset", ADC_SR, 0);
    check("ADC_HTR reset", REG32(0x40012024), 0xFFFu);
    ADC_CR2 = CR2_ADON;

    /* PCLK2 = HSI 16 MHz, ADCPRE /2: ADCCLK 8 MHz; 480 + 12 cycles = 61.5 us = 984 CPU cycles. */
    ADC_SMPR2 = 7u << 0; /* channel 0: 480 cycles */
    ADC_SQR3 = 0;
    SYST_RVR = 0xFFFFFF;
    SYST_CVR = 0;
    SYST_CSR = 5;
    uint32_t t0 = SYST_CVR;
    ADC_CR2 |= CR2_SWSTART;
    uint32_t started = (ADC_CR2 & CR2_SWSTART) | (ADC_SR & SR_STRT);
    while (!(ADC_SR & SR_EOC))
        ;
    uint32_t took = t0 - SYST_CVR;
    check("SWSTART reads 0 once started, STRT set", started, SR_STRT);
    check("conversion time 480 + 12 ADCCLK cycles (984..1050 CPU cycles)", took >= 984 && took <= 1050, 1);
    check("PA0 at 1.65 V reads 2048", ADC_DR, 2048);
    check("reading DR cleared EOC", ADC_SR & SR_EOC, 0);
    ADC_SMPR2 = 0;

    check("PA1 at 0.5 V", convert(1), 620);
    check("PC0 (channel 10) at 3.0 V", convert(10), 3723);
    check("PA2 unconnected: 0 V", convert(2), 0);

    /* 8-bit, left aligned. */
    ADC_CR1 = 2u << 24;
    ADC_CR2 |= CR2_ALIGN;
    check("8-bit left-aligned PA0", convert(0), 128u << 8);
    ADC_CR1 = 0;
    ADC_CR2 &= ~CR2_ALIGN;

    /* Scan PA1, PC0, PA0 with an EOC interrupt per conversion; 480-cycle sampling leaves the handler time
     * to read DR before the next result (else OVR). */
    ADC_SMPR2 = (7u << 0) | (7u << 3);
    ADC_SMPR1 = 7u << 0;
    ADC_SQR1 = 2u << 20;
    ADC_SQR3 = 1u | (10u << 5) | (0u << 10);
    ADC_CR1 = (1u << 8) | (1u << 5); /* SCAN, EOCIE */
    ADC_CR2 |= CR2_EOCS;
    nvic_enable(18);
    enable_irq();
    uint32_t seen[3];
    ADC_CR2 |= CR2_SWSTART;
    for (unsigned i = 0; i < 3; i++) {
        while (eoc_irqs == i)
            ;
        seen[i] = irq_data;
    }
    check("scan: PA1", seen[0], 620);
    check("scan: PC0", seen[1], 3723);
    check("scan: PA0", seen[2], 2048);
    disable_irq();
    ADC_CR1 = 0;
    ADC_SQR1 = 0;

    /* Internal channels (TSVREFE): VREFINT equals its calibration at VDDA 3.3 V; about 25 °C. */
    ADC_SMPR1 = (7u << 21) | (7u << 24); /* channels 17, 18: 480 cycles (>= 10 us sampling) */
    check("VREFINT off without TSVREFE", convert(17), 0);
    ADC_CCR |= 1u << 23;
    uint32_t vref = convert(17);
    check("VREFINT matches VREFINT_CAL (VDDA = 3.3 V)", vref, VREFINT_CAL);
    int32_t ts = (int32_t)convert(18);
    int32_t temp10 = 300 + (800 * (ts - (int32_t)TS_CAL1)) / ((int32_t)TS_CAL2 - (int32_t)TS_CAL1);
    print("temperature %d.%d C\n", temp10 / 10, temp10 % 10);
    check("temperature 24..26 C", temp10 >= 240 && temp10 <= 260, 1);
    return fails();
}
