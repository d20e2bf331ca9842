/* The board-independent part of the runtime: printf subset, semihosting exit, NVIC helpers, memcpy/memset.
 * Included by each board's lib.c after it defines uart_putc (one translation unit keeps the binaries small). */
static void put_num(uint32_t v, unsigned base, int neg, int width, char pad, int upper)
{
    char buf[12];
    int n = 0;
    const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    do {
        buf[n++] = digits[v % base];
        v /= base;
    } while (v);
    if (neg) {
        if (pad == '0') {
            uart_putc('-');
            width--;
        } else {
            buf[n++] = '-';
        }
    }
    for (int i = n; i < width; i++) uart_putc(pad);
    while (n) uart_putc(buf[--n]);
}

void print(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (; *fmt; fmt++) {
        if (*fmt != '%') {
            uart_putc(*fmt);
            continue;
        }
        fmt++;
        char pad = ' ';
        int width = 0;
        if (*fmt == '0') {
            pad = '0';
            fmt++;
        }
        while (*fmt >= '0' && *fmt <= '9') width = width * 10 + (*fmt++ - '0');
        while (*fmt == 'l') fmt++;
        switch (*fmt) {
        case 'd': {
            int32_t v = va_arg(ap, int32_t);
            put_num(v < 0 ? -(uint32_t)v : (uint32_t)v, 10, v < 0, width, pad, 0);
            break;
        }
        case 'u': put_num(va_arg(ap, uint32_t), 10, 0, width, pad, 0); break;
        case 'x': put_num(va_arg(ap, uint32_t), 16, 0, width, pad, 0); break;
        case 'X': put_num(va_arg(ap, uint32_t), 16, 0, width, pad, 1); break;
        case 'c': uart_putc((char)va_arg(ap, int)); break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            int len = 0;
            while (s[len]) len++;
            for (int i = len; i < width; i++) uart_putc(' ');
            uart_puts(s);
            break;
        }
        case '%': uart_putc('%'); break;
        default: uart_putc('?'); break;
        }
    }
    va_end(ap);
}

#define SYS_EXIT 0x18
#define SYS_EXIT_EXTENDED 0x20
#define ADP_Stopped_ApplicationExit 0x20026

static int semihost(int op, void *arg)
{
    register int r0 __asm("r0") = op;
    register void *r1 __asm("r1") = arg;
    __asm volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void sys_exit(int status)
{
    /* Let the last byte leave the UART before the emulator stops (the includer defines UART_FLUSH). */
    UART_FLUSH();
    if (status == 0) {
        semihost(SYS_EXIT, (void *)ADP_Stopped_ApplicationExit);
    } else {
        uint32_t block[2] = {ADP_Stopped_ApplicationExit, (uint32_t)status};
        semihost(SYS_EXIT_EXTENDED, block);
    }
    for (;;) wfi();
}

void nvic_enable(unsigned irq) { NVIC_ISER(irq >> 5) = 1u << (irq & 31); }
void nvic_disable(unsigned irq) { NVIC_ICER(irq >> 5) = 1u << (irq & 31); }
void nvic_pend(unsigned irq) { NVIC_ISPR(irq >> 5) = 1u << (irq & 31); }
void nvic_set_priority(unsigned irq, uint8_t prio) { NVIC_IPR8(irq) = prio; }

void *memcpy(void *dst, const void *src, size_t n)
{
    uint8_t *d = dst;
    const uint8_t *s = src;
    while (n--) *d++ = *s++;
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    uint8_t *d = dst;
    while (n--) *d++ = (uint8_t)c;
    return dst;
}
