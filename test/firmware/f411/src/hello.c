/* emboard: {"board": "NUCLEO_F411RE"} */
/* The F411 runtime itself: console on USART2, identity registers from RM0383 §38 and §24.2. */
#include "f411.h"

#define DBGMCU_IDCODE REG32(0xE0042000)
#define FLASH_SIZE_KB (*(volatile uint16_t *)0x1FFF7A22)
#define CPUID REG32(0xE000ED00)

int main(void)
{
    print("hello from the STM32F411\n");
    check("DBGMCU_IDCODE", DBGMCU_IDCODE, 0x10006431u);
    check("flash size (KiB)", FLASH_SIZE_KB, 512);
    check("CPUID (Cortex-M4 r0p1)", CPUID, 0x410FC241u);
    check("RCC_CR reset: HSION|HSIRDY, HSITRIM 16", RCC_CR & 0xFFu, 0x83u);
    return fails();
}
