/*
 * MPU (PMSAv7): a no-access region → MemManage DACCVIOL with MMFAR for reads and writes; an
 * execute-never region → IACCVIOL; a privileged-only region accessed from unprivileged thread mode;
 * PRIVDEFENA background map; MemManage escalating to HardFault when disabled.
 */
#include "rt.h"

static volatile int faults;

#define FAULT_ENTRY(name, cfunc)                                                                            \
    __attribute__((naked)) void name(void)                                                                 \
    {                                                                                                      \
        __asm volatile("tst lr, #4\n ite eq\n mrseq r0, msp\n mrsne r0, psp\n mov r1, lr\n b " #cfunc "\n"); \
    }

static void fixup(uint32_t *frame, uint32_t cfsr)
{
    if (cfsr & 1u) {
        /* IACCVIOL: the faulting PC is the branch target; return to the caller (LR of the frame). */
        frame[6] = frame[5] & ~1u;
    } else {
        uint16_t hw = *(uint16_t *)frame[6];
        frame[6] += ((hw & 0xF800u) >= 0xE800u) ? 4 : 2;
    }
}

static void report(const char *kind, uint32_t *frame, uint32_t exc_return)
{
    uint32_t cfsr = SCB_CFSR, hfsr = SCB_HFSR;
    print("%s: CFSR=%08x HFSR=%08x", kind, cfsr, hfsr);
    if (cfsr & (1u << 7)) print(" MMFAR=%08x", SCB_MMFAR);
    print(" EXC_RETURN=%08x\n", exc_return);
    SCB_CFSR = cfsr;
    SCB_HFSR = hfsr;
    faults++;
    fixup(frame, cfsr);
}

__attribute__((used)) void mm_c(uint32_t *f, uint32_t e) { report("MemManage", f, e); }
__attribute__((used)) void hf_c(uint32_t *f, uint32_t e) { report("HardFault", f, e); }
FAULT_ENTRY(MemManage_Handler, mm_c)
FAULT_ENTRY(HardFault_Handler, hf_c)

/* SVC #0 from unprivileged code: become privileged again. */
void SVC_Handler(void)
{
    set_control(get_control() & ~1u);
}

#define RASR_ENABLE 1u
#define RASR_SIZE(log2) (((log2) - 1) << 1)
#define RASR_AP(ap) ((uint32_t)(ap) << 24)
#define RASR_XN (1u << 28)
#define RASR_C (1u << 17)
#define RASR_B (1u << 16)
#define RASR_S (1u << 18)

static volatile uint32_t noaccess[64] __attribute__((aligned(256)));
static volatile uint32_t privonly[64] __attribute__((aligned(256)));
static uint16_t xn_code[8] __attribute__((aligned(256)));

static uint32_t rd(volatile uint32_t *p)
{
    uint32_t v;
    __asm volatile("ldr %0, [%1]" : "=r"(v) : "r"(p) : "memory");
    return v;
}

static void wr(volatile uint32_t *p, uint32_t v) { __asm volatile("str %1, [%0]" ::"r"(p), "r"(v) : "memory"); }

static void region(unsigned n, uint32_t base, uint32_t rasr)
{
    MPU_RNR = n;
    MPU_RBAR = base;
    MPU_RASR = rasr;
}

int main(void)
{
    print("mpu test\n");
    print("MPU_TYPE=%08x\n", MPU_TYPE);
    SCB_SHCSR |= 1u << 16; /* MEMFAULTENA */

    noaccess[1] = 0x1234;
    privonly[2] = 0x5678;
    xn_code[0] = 0x4770; /* bx lr */

    /* Region 0: whole 4 GiB would be too coarse; PRIVDEFENA gives the default map to privileged code.
     * Region 1: unprivileged code needs SSRAM1 (code) and SSRAM23 (stack, data, UART is via SVC-free
     * polling so also the peripheral space) - map them RW for everyone. */
    region(0, 0x00000000, RASR_ENABLE | RASR_SIZE(22) | RASR_AP(3) | RASR_C);             /* code, RW all */
    region(1, 0x20000000, RASR_ENABLE | RASR_SIZE(22) | RASR_AP(3) | RASR_XN | RASR_C | RASR_S); /* RAM RW all, XN */
    region(2, 0x40000000, RASR_ENABLE | RASR_SIZE(18) | RASR_AP(3) | RASR_XN | RASR_B | RASR_S); /* APB */
    region(3, (uint32_t)noaccess, RASR_ENABLE | RASR_SIZE(8) | RASR_AP(0) | RASR_XN);          /* no access */
    region(4, (uint32_t)privonly, RASR_ENABLE | RASR_SIZE(8) | RASR_AP(1) | RASR_XN);          /* priv RW only */
    MPU_RNR = 3;
    print("region 3: RBAR=%08x RASR=%08x\n", MPU_RBAR - (uint32_t)noaccess, MPU_RASR);
    MPU_CTRL = 0x5; /* ENABLE | PRIVDEFENA */
    dsb();
    isb();

    print("-- privileged read/write of no-access region\n");
    rd(&noaccess[1]);
    wr(&noaccess[3], 7);
    print("-- privileged access to priv-only region works: %x\n", rd(&privonly[2]));

    print("-- execute from XN RAM\n");
    ((void (*)(void))((uint32_t)xn_code | 1))();

    print("-- unprivileged thread mode\n");
    set_control(get_control() | 1u);
    print("CONTROL=%x\n", get_control());
    rd(&privonly[2]);
    wr(&privonly[2], 1);
    __asm volatile("svc #0" ::: "memory");
    print("back to privileged: CONTROL=%x privonly[2]=%x\n", get_control(), privonly[2]);

    print("-- background region: PRIVDEFENA=0 makes unmapped addresses fault for privileged code too\n");
    MPU_CTRL = 0x1;
    dsb();
    isb();
    print("SCC ID via region 2: %08x\n", REG32(0x4002FFFC));
    rd((volatile uint32_t *)0x21000000); /* PSRAM: no region covers it */

    print("-- MemManage disabled: escalation\n");
    SCB_SHCSR &= ~(1u << 16);
    rd(&noaccess[0]);

    MPU_CTRL = 0;
    dsb();
    isb();
    print("MPU off: noaccess[3]=%x\n", noaccess[3]);
    print("faults: %d\n", faults);
    return faults == 7 ? 0 : 1;
}
