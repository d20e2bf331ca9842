/* emboard: {"board": "NUCLEO_F411RE", "options": {"i2cDevices": [{"bus": "i2c1", "type": "24c02", "address": 80}]}} */
/* I2C1 master (RM0383 §18) on PB8/PB9 with a 24C02 EEPROM at 0x50: page write, random reads of 1, 2 (POS)
 * and N bytes, SCL timing at 100 kHz, and a NACKed address raising AF and the error interrupt (IRQ 32). */
#include "f411.h"

#define I2C1_BASE 0x40005400u
#define I2C_CR1 REG32(I2C1_BASE + 0x00)
#define I2C_CR2 REG32(I2C1_BASE + 0x04)
#define I2C_DR REG32(I2C1_BASE + 0x10)
#define I2C_SR1 REG32(I2C1_BASE + 0x14)
#define I2C_SR2 REG32(I2C1_BASE + 0x18)
#define I2C_CCR REG32(I2C1_BASE + 0x1C)
#define I2C_TRISE REG32(I2C1_BASE + 0x20)

#define PE (1u << 0)
#define START (1u << 8)
#define STOP (1u << 9)
#define ACK (1u << 10)
#define POS (1u << 11)
#define SB (1u << 0)
#define ADDR (1u << 1)
#define BTF (1u << 2)
#define RXNE (1u << 6)
#define TXE (1u << 7)
#define AF (1u << 10)
#define EEPROM 0x50u

static volatile unsigned error_irqs;
static volatile uint32_t error_sr1;

void IRQ_Handler(unsigned irq)
{
    if (irq != 32) sys_exit(99);
    error_sr1 = I2C_SR1;
    I2C_SR1 = ~AF & 0xFFFFu;
    I2C_CR1 |= STOP;
    error_irqs++;
}

static int wait(uint32_t bit)
{
    for (unsigned i = 0; i < 100000; i++) {
        uint32_t s = I2C_SR1;
        if (s & bit) return 1;
        if (s & AF) return 0;
    }
    print("timeout waiting for SR1 bit 0x%x\n", bit);
    sys_exit(98);
}

static int address(uint8_t a, int read)
{
    I2C_CR1 |= START;
    wait(SB);
    I2C_DR = (uint32_t)(a << 1) | (read ? 1u : 0u);
    if (!wait(ADDR)) return 0;
    return 1;
}

static void clear_addr(void)
{
    (void)I2C_SR1;
    (void)I2C_SR2;
}

static void set_pointer(uint8_t p)
{
    address(EEPROM, 0);
    clear_addr();
    wait(TXE);
    I2C_DR = p;
    wait(BTF);
}

int main(void)
{
    gpio_af('B', 8, 4);
    gpio_af('B', 9, 4);
    GPIO_OTYPER('B') |= (1u << 8) | (1u << 9); /* open drain */
    RCC_APB1ENR |= 1u << 21;                   /* I2C1EN */
    check("I2C_TRISE reset", I2C_TRISE, 2);
    I2C_CR2 = 16;   /* PCLK1 16 MHz */
    I2C_CCR = 80;   /* 100 kHz: 80 + 80 PCLK1 cycles per SCL period */
    I2C_TRISE = 17;
    I2C_CR1 = PE;

    /* START to SB: one SCL period = 10 us = 160 CPU cycles. */
    SYST_RVR = 0xFFFFFF;
    SYST_CVR = 0;
    SYST_CSR = 5;
    uint32_t t0 = SYST_CVR;
    I2C_CR1 |= START;
    while (!(I2C_SR1 & SB))
        ;
    uint32_t took = t0 - SYST_CVR;
    check("START condition takes one SCL period (160..200 cycles)", took >= 160 && took <= 200, 1);
    check("MSL|BUSY after START", I2C_SR2 & 3u, 3u);
    I2C_DR = EEPROM << 1;
    wait(ADDR);
    check("ADDR stays set until SR2 is read", I2C_SR1 & ADDR, ADDR);
    uint32_t sr2 = I2C_SR2;
    check("SR2: TRA|BUSY|MSL as transmitter", sr2 & 7u, 7u);
    check("SR1 then SR2 read cleared ADDR", I2C_SR1 & ADDR, 0);
    static const uint8_t data[] = {0x08, 'e', 'm', 'b', 'o'};
    for (unsigned i = 0; i < sizeof data; i++) {
        wait(TXE);
        I2C_DR = data[i];
    }
    wait(BTF);
    I2C_CR1 |= STOP;
    check("STOP released the bus", I2C_SR2 & 3u, 0);

    /* One byte: ACK = 0 before clearing ADDR, STOP after. */
    set_pointer(0x09);
    address(EEPROM, 1);
    I2C_CR1 &= ~ACK;
    clear_addr();
    I2C_CR1 |= STOP;
    wait(RXNE);
    check("1-byte read", I2C_DR, 'm');

    /* Two bytes: POS + ACK, clear ADDR, ACK = 0, wait BTF, STOP, read both. */
    set_pointer(0x0A);
    I2C_CR1 |= POS | ACK;
    address(EEPROM, 1);
    clear_addr();
    I2C_CR1 &= ~ACK;
    wait(BTF);
    I2C_CR1 |= STOP;
    uint32_t b0 = I2C_DR, b1 = I2C_DR;
    check("2-byte read with POS", (b0 << 8) | b1, ('b' << 8) | 'o');
    I2C_CR1 &= ~POS;

    /* Four bytes: ACK until three are left, then the BTF method. */
    set_pointer(0x08);
    I2C_CR1 |= ACK;
    address(EEPROM, 1);
    clear_addr();
    uint8_t got[4];
    wait(RXNE);
    got[0] = (uint8_t)I2C_DR;
    wait(BTF);
    I2C_CR1 &= ~ACK;
    got[1] = (uint8_t)I2C_DR;
    wait(BTF);
    I2C_CR1 |= STOP;
    got[2] = (uint8_t)I2C_DR;
    got[3] = (uint8_t)I2C_DR;
    check("4-byte read", ((uint32_t)got[0] << 24) | ((uint32_t)got[1] << 16) | ((uint32_t)got[2] << 8) | got[3],
          ('e' << 24) | ('m' << 16) | ('b' << 8) | 'o');
    check("bus free after the reads", I2C_SR2 & 3u, 0);

    /* Nobody at 0x3C: NACK → AF, error interrupt. */
    I2C_CR2 |= 1u << 8; /* ITERREN */
    nvic_enable(32);
    enable_irq();
    I2C_CR1 |= START;
    wait(SB);
    I2C_DR = 0x3Cu << 1;
    while (error_irqs == 0) /* the handler clears AF and sends STOP */
        ;
    check("no ADDR for 0x3C", I2C_SR1 & ADDR, 0);
    check("error interrupt saw AF", error_sr1 & AF, AF);
    check("AF cleared, bus free", (I2C_SR1 & AF) | (I2C_SR2 & 3u), 0);
    return fails();
}
