/* emboard: {"board": "NUCLEO_F411RE"} */
/* SYSCFG_MEMRMP (RM0383 §7.2.1): MEM_MODE switches what address 0 shows (00 main flash, 01 system memory,
 * 11 SRAM) at run time. Code run through the alias must change with it (no stale decoded instructions). */
#include "f411.h"

#define SYSCFG_MEMRMP REG32(0x40013800)

typedef uint32_t (*fn_t)(void);
extern uint32_t __bss_end;

__attribute__((noinline)) uint32_t in_flash(void)
{
    return 0x1111;
}

/* Switches MEM_MODE and returns 0x44 — or, when the code after the switch comes from a patched SRAM copy,
 * whatever that copy says. ISB: instructions after it are fetched from the new mapping (ARMv7-M). */
__attribute__((naked, noinline)) uint32_t switch_and_return(uint32_t mode __attribute__((unused)))
{
    __asm volatile(
        "ldr r3, =0x40013800\n"
        "str r0, [r3]\n"
        "dsb\n"
        "isb\n"
        "movs r0, #0x44\n"
        "bx lr\n"
        ".ltorg\n");
}

static void set_mode(uint32_t mode)
{
    SYSCFG_MEMRMP = mode;
    __asm volatile("dsb\n isb" ::: "memory");
}

int main(void)
{
    RCC_APB2ENR |= 1u << 14; /* SYSCFGEN */
    check("MEMRMP after reset with BOOT0=0", SYSCFG_MEMRMP & 3, 0);

    /* The address 0 + off shows flash at 0x08000000 + off and SRAM at 0x20000000 + off. */
    volatile uint32_t zero = 0; /* address 0 without a null-pointer constant */
    uint32_t off = ((uint32_t)in_flash & ~1u) - 0x08000000u;
    fn_t via0 = (fn_t)(zero + off + 1);
    check("flash function called through address 0", via0(), 0x1111);
    check("word 0 = flash word 0 (initial SP)", REG32(zero), REG32(0x08000000));

    /* The same offset in SRAM gets `movs r0, #0x22; bx lr` (above .bss, far below the stack). */
    check("SRAM copy lies above .bss", 0x20000000u + off >= (uint32_t)&__bss_end, 1);
    volatile uint16_t *ram = (volatile uint16_t *)(0x20000000u + off);
    ram[0] = 0x2022;
    ram[1] = 0x4770;

    set_mode(3);
    check("MEMRMP reads back SRAM (3)", SYSCFG_MEMRMP & 3, 3);
    check("SRAM function called through address 0", via0(), 0x22);
    REG32(zero + off + 4) = 0xA5A5F00Du;
    check("write through address 0 reaches SRAM", REG32(0x20000004u + off), 0xA5A5F00Du);
    ram[0] = 0x2033; /* modified code is seen through the alias too */
    check("modified SRAM code through address 0", via0(), 0x33);

    set_mode(1);
    check("system memory: initial SP of the bootloader", REG32(zero), 0x20020000u);
    check("system memory: reset vector of the bootloader", REG32(zero + 4), 0x1FFF0201u);

    set_mode(0);
    check("flash again: the function at address 0", via0(), 0x1111);
    check("flash again: word 0", REG32(zero), REG32(0x08000000));

    /* Remap while executing at address 0: the instructions after the switch come from the new memory. */
    uint32_t soff = ((uint32_t)switch_and_return & ~1u) - 0x08000000u;
    const volatile uint16_t *src = (const volatile uint16_t *)(0x08000000u + soff);
    volatile uint16_t *dst = (volatile uint16_t *)(0x20000000u + soff);
    int patched = 0;
    for (int i = 0; i < 12; i++) {
        uint16_t h = src[i];
        if (h == 0x2044 && !patched) { h = 0x2055; patched = 1; } /* movs r0,#0x44 -> #0x55 */
        dst[i] = h;
    }
    check("SRAM copy patched", patched, 1);
    uint32_t (*sw)(uint32_t) = (uint32_t (*)(uint32_t))(zero + soff + 1);
    check("switch run from flash at 0, staying on flash", sw(0), 0x44);
    check("switch to SRAM while running at 0: next instructions from SRAM", sw(3), 0x55);
    check("MEMRMP = SRAM", SYSCFG_MEMRMP & 3, 3);
    check("switch back to flash while running from SRAM at 0", sw(0), 0x44);
    check("MEMRMP = flash", SYSCFG_MEMRMP & 3, 0);
    return fails();
}
