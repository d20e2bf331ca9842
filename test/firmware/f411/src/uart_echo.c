/* emboard: {"board": "NUCLEO_F411RE", "input": {"after": "'bye' ends\n", "text": "ore\n12hello\r\nbye\n"}} */
/*
 * Interrupt-driven line echo on USART1, USART2 and USART6 at once (115200 8N1 from HSI, RXNEIE; RM0383
 * §19): a line ending in CR or LF comes back on the same USART in upper case with its length, so every
 * serial backend can be tried on any of the F411 boards' UARTs. "bye" ends the program (exit 0 when every
 * check passed). "ore" on USART2 (the console) checks the overrun path (RM0383 §19.3.3 "Overrun error"):
 * the handler stops reading, the next byte sets RXNE, the one after it is lost and sets ORE (RDR keeps the
 * unread byte), and reading SR then DR clears both.
 */
#include "f411.h"

#define SR_ORE (1u << 3)
#define SR_RXNE (1u << 5)
#define SR_TXE (1u << 7)
#define CR1_RXNEIE (1u << 5)
#define CR1_UE_TE_RE ((1u << 13) | (1u << 3) | (1u << 2))

static const uint32_t base[3] = {USART1_BASE, USART2_BASE, USART6_BASE};
static const char *const name[3] = {"usart1", "usart2", "usart6"};

#define LINES 4
#define LINE_MAX 64
static char cur[3][LINE_MAX];
static uint32_t cur_len[3];
static char lines[3][LINES][LINE_MAX];
static uint32_t line_len[3][LINES];
static volatile uint32_t head[3], tail[3];
static volatile uint32_t ore_request;

static void putc_on(uint32_t b, char c)
{
    while (!(USART_SR(b) & SR_TXE))
        ;
    USART_DR(b) = (uint8_t)c;
}

static void puts_on(uint32_t b, const char *s)
{
    while (*s) putc_on(b, *s++);
}

static void putu_on(uint32_t b, uint32_t v)
{
    char d[10];
    int n = 0;
    do d[n++] = (char)('0' + v % 10); while (v /= 10);
    while (n) putc_on(b, d[--n]);
}

static int is(const char *s, uint32_t n, const char *w)
{
    uint32_t i = 0;
    while (i < n && w[i] && s[i] == w[i]) i++;
    return i == n && !w[i];
}

/* One byte from USART u: collect it; a complete line goes to the queue main reads. */
static void receive(unsigned u)
{
    uint32_t b = base[u];
    if (!(USART_SR(b) & SR_RXNE)) return;
    char c = (char)USART_DR(b);
    if (c != '\r' && c != '\n') {
        if (cur_len[u] < LINE_MAX) cur[u][cur_len[u]++] = c;
        return;
    }
    if (cur_len[u] == 0) return; /* the LF of a CR LF pair, or an empty line */
    if (u == 1 && is(cur[1], cur_len[1], "ore")) {
        USART_CR1(b) &= ~CR1_RXNEIE; /* stop reading at once: the next two bytes must collide */
        ore_request = 1;
    } else if (head[u] - tail[u] < LINES) {
        uint32_t slot = head[u] % LINES;
        for (uint32_t i = 0; i < cur_len[u]; i++) lines[u][slot][i] = cur[u][i];
        line_len[u][slot] = cur_len[u];
        head[u] = head[u] + 1;
    }
    cur_len[u] = 0;
}

void IRQ_Handler(unsigned irq)
{
    if (irq == USART1_IRQn) receive(0);
    else if (irq == USART2_IRQn) receive(1);
    else if (irq == USART6_IRQn) receive(2);
}

static void overrun_check(void)
{
    uint32_t b = USART2_BASE, sr = 0;
    for (uint32_t i = 0; i < 1000000 && !(sr & SR_ORE); i++) sr = USART_SR(b);
    uint32_t dr = USART_DR(b), after = USART_SR(b);
    USART_CR1(b) |= CR1_RXNEIE; /* before printing: the bytes after "12" keep coming one frame apart */
    check("ORE set by a byte arriving while RXNE is set", sr & (SR_ORE | SR_RXNE), SR_ORE | SR_RXNE);
    check("RDR keeps the unread byte", dr, '1');
    check("SR read then DR read clears ORE and RXNE", after & (SR_ORE | SR_RXNE), 0);
}

int main(void)
{
    gpio_af('A', 9, 7); /* USART1 TX/RX: PA9/PA10 AF7 */
    gpio_af('A', 10, 7);
    gpio_af('C', 6, 8); /* USART6 TX/RX: PC6/PC7 AF8 */
    gpio_af('C', 7, 8);
    RCC_APB2ENR |= (1u << 4) | (1u << 5); /* USART1EN, USART6EN (USART2: the runtime's console) */
    for (unsigned u = 0; u < 3; u++) {
        USART_BRR(base[u]) = (HSI_HZ + 115200 / 2) / 115200;
        USART_CR1(base[u]) = CR1_UE_TE_RE | CR1_RXNEIE;
    }
    nvic_enable(USART1_IRQn);
    nvic_enable(USART2_IRQn);
    nvic_enable(USART6_IRQn);
    /* Console last: input sent after its banner must not meet a main loop still printing elsewhere. */
    static const unsigned order[3] = {0, 2, 1};
    for (unsigned i = 0; i < 3; i++) {
        puts_on(base[order[i]], name[order[i]]);
        puts_on(base[order[i]], " echo: type lines; 'ore' on usart2 tests overrun, 'bye' ends\n");
    }
    for (;;) {
        disable_irq();
        int idle = !ore_request;
        for (unsigned u = 0; u < 3; u++) idle = idle && head[u] == tail[u];
        if (idle) wfi();
        enable_irq();
        if (ore_request) {
            ore_request = 0;
            overrun_check();
        }
        for (unsigned u = 0; u < 3; u++) {
            while (tail[u] != head[u]) {
                uint32_t slot = tail[u] % LINES, n = line_len[u][slot];
                char *s = lines[u][slot];
                puts_on(base[u], name[u]);
                puts_on(base[u], ": ");
                for (uint32_t i = 0; i < n; i++) putc_on(base[u], s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 32) : s[i]);
                puts_on(base[u], " (");
                putu_on(base[u], n);
                puts_on(base[u], " chars)\n");
                tail[u] = tail[u] + 1;
                if (is(s, n, "bye")) {
                    while (!(USART_SR(base[u]) & (1u << 6))) /* TC: the last byte has left */
                        ;
                    return fails();
                }
            }
        }
    }
}
