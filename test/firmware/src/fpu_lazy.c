/*
 * FP context across exceptions: thread code holds values in s0-s31, an interrupt handler uses FP and
 * clobbers s0-s15, the values must survive. Checks lazy state preservation: in the handler before its
 * first FP instruction FPCCR.LSPACT=1 and FPCAR points at the reserved FP area of the stacked frame;
 * after it LSPACT=0. Also EXC_RETURN (0xFFFFFFE9 with an FP frame), CONTROL.FPCA, FPSCR round trip.
 */
#include "rt.h"

#define IRQ_FP 30
#define IRQ_NOFP 31

static volatile uint32_t h_lspact_before, h_lspact_after, h_fpcar, h_frame, h_exc_return, h_control;
static volatile uint32_t h_result;
static volatile uint32_t n_exc_return, n_lspact;

/* Handler entry in asm so nothing touches FP before we look at FPCCR. r0 = frame, r1 = EXC_RETURN. */
__attribute__((naked)) static void fp_handler_entry(void)
{
    __asm volatile("mov r0, sp\n mov r1, lr\n push {r4, lr}\n bl fp_handler_c\n pop {r4, pc}\n");
}

__attribute__((used)) void fp_handler_c(uint32_t *frame, uint32_t exc_return)
{
    h_frame = (uint32_t)frame;
    h_exc_return = exc_return;
    h_lspact_before = FPU_FPCCR & 1u;
    h_fpcar = FPU_FPCAR;
    h_control = get_control();
    /* Use FP: clobbers s0-s15 (caller-saved) through the computation and explicit moves. */
    float acc = 1.0f;
    for (int i = 1; i <= 10; i++) acc = acc * 1.5f + (float)i;
    __asm volatile("vmov.f32 s0, #1.0\n vmov.f32 s1, #2.0\n vmov.f32 s15, #-3.0\n" ::: "s0", "s1", "s15");
    union { float f; uint32_t u; } cv = {acc};
    h_result = cv.u;
    h_lspact_after = FPU_FPCCR & 1u;
}

__attribute__((naked)) static void nofp_handler_entry(void)
{
    __asm volatile("mov r0, lr\n push {r4, lr}\n bl nofp_handler_c\n pop {r4, pc}\n");
}

__attribute__((used)) void nofp_handler_c(uint32_t exc_return)
{
    n_exc_return = exc_return;
    n_lspact = FPU_FPCCR & 1u;
}

void IRQ_Handler(unsigned irq)
{
    (void)irq; /* not used: this program installs its own vector table in RAM */
}

static uint32_t ram_vectors[48] __attribute__((aligned(256)));

static void load_pattern(void)
{
    __asm volatile(
        "vmov.f32 s0, #0.5\n vmov.f32 s1, #1.0\n vmov.f32 s2, #1.5\n vmov.f32 s3, #2.0\n"
        "vmov.f32 s4, #2.5\n vmov.f32 s5, #3.0\n vmov.f32 s6, #3.5\n vmov.f32 s7, #4.0\n"
        "vmov.f32 s8, #4.5\n vmov.f32 s9, #5.0\n vmov.f32 s10, #5.5\n vmov.f32 s11, #6.0\n"
        "vmov.f32 s12, #6.5\n vmov.f32 s13, #7.0\n vmov.f32 s14, #7.5\n vmov.f32 s15, #8.0\n"
        "vmov.f32 s16, #-0.5\n vmov.f32 s17, #-1.0\n vmov.f32 s18, #-1.5\n vmov.f32 s19, #-2.0\n"
        "vmov.f32 s20, #-2.5\n vmov.f32 s21, #-3.0\n vmov.f32 s22, #-3.5\n vmov.f32 s23, #-4.0\n"
        "vmov.f32 s24, #-4.5\n vmov.f32 s25, #-5.0\n vmov.f32 s26, #-5.5\n vmov.f32 s27, #-6.0\n"
        "vmov.f32 s28, #-6.5\n vmov.f32 s29, #-7.0\n vmov.f32 s30, #-7.5\n vmov.f32 s31, #-8.0\n" ::
            : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15",
              "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27", "s28", "s29",
              "s30", "s31");
}

/* Pends the interrupt with the pattern live in s0-s31 and stores all 32 registers afterwards. */
__attribute__((noinline)) static void pend_and_save(unsigned irq, uint32_t *out)
{
    load_pattern();
    __asm volatile(
        "str %1, [%0]\n"
        "dsb\n isb\n"
        "vstmia %2, {s0-s31}\n" ::"r"(&NVIC_ISPR(0)),
        "r"(1u << irq), "r"(out)
        : "memory");
}

static int check(const uint32_t *regs)
{
    static const float want[32] = {0.5f, 1.0f, 1.5f, 2.0f, 2.5f, 3.0f, 3.5f, 4.0f, 4.5f, 5.0f, 5.5f,
                                   6.0f, 6.5f, 7.0f, 7.5f, 8.0f, -0.5f, -1.0f, -1.5f, -2.0f, -2.5f, -3.0f,
                                   -3.5f, -4.0f, -4.5f, -5.0f, -5.5f, -6.0f, -6.5f, -7.0f, -7.5f, -8.0f};
    int bad = 0;
    for (int i = 0; i < 32; i++) {
        union { float f; uint32_t u; } w = {want[i]};
        if (regs[i] != w.u) {
            print("  s%d = %08x, want %08x\n", i, regs[i], w.u);
            bad++;
        }
    }
    return bad;
}

int main(void)
{
    print("fpu_lazy test\n");
    print("CPACR=%08x FPCCR=%08x CONTROL=%x\n", SCB_CPACR, FPU_FPCCR, get_control());

    /* Vector table in RAM so the FP handlers get raw entry (no C dispatcher before them). */
    const uint32_t *rom = (const uint32_t *)0;
    for (int i = 0; i < 48; i++) ram_vectors[i] = rom[i];
    ram_vectors[16 + IRQ_FP] = (uint32_t)fp_handler_entry;
    ram_vectors[16 + IRQ_NOFP] = (uint32_t)nofp_handler_entry;
    SCB_VTOR = (uint32_t)ram_vectors;
    dsb();
    nvic_enable(IRQ_FP);
    nvic_enable(IRQ_NOFP);

    uint32_t regs[32];
    pend_and_save(IRQ_FP, regs);
    uint32_t ctrl = get_control();
    int bad = check(regs);
    print("FP regs preserved across FP-using handler: %s\n", bad ? "NO" : "yes");
    print("handler: EXC_RETURN=%08x CONTROL=%x LSPACT before=%u after=%u\n", h_exc_return, h_control,
          h_lspact_before, h_lspact_after);
    print("FPCAR == frame+0x20: %s\n", h_fpcar == h_frame + 0x20 ? "yes" : "no");
    print("handler result bits=%08x\n", h_result);
    print("thread CONTROL.FPCA=%u\n", (ctrl >> 2) & 1);

    pend_and_save(IRQ_NOFP, regs);
    bad = check(regs);
    print("FP regs preserved across non-FP handler: %s, EXC_RETURN=%08x LSPACT in handler=%u, after=%u\n",
          bad ? "NO" : "yes", n_exc_return, n_lspact, FPU_FPCCR & 1u);

    /* Without lazy stacking (LSPEN=0) the frame is written at entry: LSPACT stays 0. */
    FPU_FPCCR &= ~(1u << 30);
    pend_and_save(IRQ_FP, regs);
    bad = check(regs);
    print("LSPEN=0: preserved=%s LSPACT before=%u FPCCR=%08x\n", bad ? "NO" : "yes", h_lspact_before, FPU_FPCCR);

    /* ASPEN=0: FPCA no longer set by FP instructions, basic frame used. */
    FPU_FPCCR = (1u << 30);
    set_control(0);
    pend_and_save(IRQ_NOFP, regs);
    print("ASPEN=0: EXC_RETURN=%08x CONTROL=%x\n", n_exc_return, get_control());
    FPU_FPCCR = 0xC0000000u;

    /* FPSCR round trip and a flag-setting operation. */
    uint32_t fpscr;
    volatile float big = 3.0e38f;
    volatile float r = big * 10.0f;
    (void)r;
    __asm volatile("vmrs %0, fpscr" : "=r"(fpscr));
    print("FPSCR after overflow=%08x\n", fpscr);
    __asm volatile("vmsr fpscr, %0" ::"r"(0x00C00000u)); /* RMode = round toward zero */
    volatile float a = 1.0f, b = 3.0f;
    union { float f; uint32_t u; } q = {a / b};
    __asm volatile("vmrs %0, fpscr" : "=r"(fpscr));
    print("1/3 RZ=%08x FPSCR=%08x\n", q.u, fpscr);
    return 0;
}
