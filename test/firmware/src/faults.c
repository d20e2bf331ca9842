/*
 * Configurable faults: UsageFault (UNDEFINSTR, DIVBYZERO with CCR.DIV_0_TRP, UNALIGNED with
 * CCR.UNALIGN_TRP, unaligned LDM), precise BusFault on an unmapped read (BFAR), and escalation to
 * HardFault (HFSR.FORCED) when the configurable fault is disabled. Handlers print the fault status,
 * clear it and return past the faulting instruction.
 */
#include "rt.h"

static volatile int fault_count;

/* Common fault body: r0 = stacked frame, r1 = EXC_RETURN. */
#define FAULT_ENTRY(name, cfunc)                                                                            \
    __attribute__((naked)) void name(void)                                                                 \
    {                                                                                                      \
        __asm volatile("tst lr, #4\n ite eq\n mrseq r0, msp\n mrsne r0, psp\n mov r1, lr\n b " #cfunc "\n"); \
    }

static void skip_insn(uint32_t *frame)
{
    uint16_t hw = *(uint16_t *)frame[6];
    frame[6] += ((hw & 0xF800u) >= 0xE800u) ? 4 : 2; /* 32-bit encodings start with 0b11101/11110/11111 */
}

static void report(const char *kind, uint32_t *frame)
{
    uint32_t cfsr = SCB_CFSR;
    uint32_t hfsr = SCB_HFSR;
    print("%s: ipsr=%u CFSR=%08x HFSR=%08x", kind, get_ipsr(), cfsr, hfsr);
    if (cfsr & (1u << 15)) print(" BFAR=%08x", SCB_BFAR);
    if (cfsr & (1u << 7)) print(" MMFAR=%08x", SCB_MMFAR);
    print(" pc_off=%s\n", frame[6] < 0x00400000 ? "code" : "?");
    SCB_CFSR = cfsr; /* write-one-to-clear */
    SCB_HFSR = hfsr;
    fault_count++;
    skip_insn(frame);
}

__attribute__((used)) void usage_c(uint32_t *frame, uint32_t exc_return) { (void)exc_return; report("UsageFault", frame); }
__attribute__((used)) void bus_c(uint32_t *frame, uint32_t exc_return) { (void)exc_return; report("BusFault", frame); }
__attribute__((used)) void hard_c(uint32_t *frame, uint32_t exc_return) { (void)exc_return; report("HardFault", frame); }
FAULT_ENTRY(UsageFault_Handler, usage_c)
FAULT_ENTRY(BusFault_Handler, bus_c)
FAULT_ENTRY(HardFault_Handler, hard_c)

#define USGFAULTENA (1u << 18)
#define BUSFAULTENA (1u << 17)
#define MEMFAULTENA (1u << 16)

static void do_udf(void) { __asm volatile(".short 0xde42" ::: "memory"); } /* UDF #0x42 */
static void do_udf_w(void) { __asm volatile(".short 0xf7f0, 0xa000" ::: "memory"); } /* UDF.W #0 */

static int32_t do_sdiv(int32_t a, int32_t b)
{
    int32_t r;
    __asm volatile("sdiv %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}

static uint32_t do_udiv(uint32_t a, uint32_t b)
{
    uint32_t r;
    __asm volatile("udiv %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));
    return r;
}

static uint32_t load_word(uint32_t addr)
{
    uint32_t v;
    __asm volatile("ldr %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

static uint32_t load_half(uint32_t addr)
{
    uint32_t v;
    __asm volatile("ldrh %0, [%1]" : "=r"(v) : "r"(addr) : "memory");
    return v;
}

static uint32_t load_multiple(uint32_t addr)
{
    register uint32_t a __asm("r2");
    register uint32_t b __asm("r3");
    __asm volatile("ldm %2, {r2, r3}" : "=r"(a), "=r"(b) : "r"(addr) : "memory");
    return a + b;
}

static volatile uint8_t buf[16] __attribute__((aligned(4))) = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

int main(void)
{
    print("faults test\n");
    SCB_SHCSR |= USGFAULTENA | BUSFAULTENA | MEMFAULTENA;

    print("-- undefined instruction (16-bit)\n");
    do_udf();
    print("-- undefined instruction (32-bit)\n");
    do_udf_w();

    print("-- divide by zero, DIV_0_TRP=0\n");
    print("sdiv 7/0 = %d, udiv 7/0 = %u\n", do_sdiv(7, 0), do_udiv(7, 0));
    print("sdiv INT_MIN/-1 = %d\n", do_sdiv((int32_t)0x80000000, -1));
    SCB_CCR |= 1u << 4; /* DIV_0_TRP */
    print("-- divide by zero, DIV_0_TRP=1\n");
    do_sdiv(7, 0);
    do_udiv(7, 0);
    SCB_CCR &= ~(1u << 4);

    print("-- unaligned, UNALIGN_TRP=0\n");
    print("ldr [buf+1] = %08x, ldrh [buf+3] = %04x\n", load_word((uint32_t)buf + 1), load_half((uint32_t)buf + 3));
    print("-- unaligned LDM always faults\n");
    load_multiple((uint32_t)buf + 2);
    SCB_CCR |= 1u << 3; /* UNALIGN_TRP */
    print("-- unaligned, UNALIGN_TRP=1\n");
    load_word((uint32_t)buf + 1);
    load_half((uint32_t)buf + 3);
    print("aligned ldr still fine: %08x\n", load_word((uint32_t)buf + 4));
    SCB_CCR &= ~(1u << 3);

    print("-- bus fault: read of unmapped 0x30000000\n");
    load_word(0x30000000);
    print("-- bus fault: read of unmapped 0x50000010\n");
    load_word(0x50000010);

    print("-- escalation: BusFault disabled\n");
    SCB_SHCSR &= ~BUSFAULTENA;
    load_word(0x30000004);
    print("-- escalation: UsageFault disabled\n");
    SCB_SHCSR &= ~USGFAULTENA;
    do_udf();
    SCB_CCR |= 1u << 4;
    do_sdiv(1, 0);
    SCB_CCR &= ~(1u << 4);

    print("faults taken: %d\n", fault_count);
    print("SHCSR=%08x\n", SCB_SHCSR);
    return fault_count == 12 ? 0 : 1;
}
