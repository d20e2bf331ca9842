/* A tokenizer state machine over generated text (identifiers, numbers, strings, comments, operators). */
#include "bench.h"

#ifndef ITER
#define ITER 7000
#endif
#define LEN 8192

static char text[LEN];

enum state { S_START, S_IDENT, S_NUMBER, S_HEX, S_STRING, S_ESCAPE, S_SLASH, S_COMMENT, S_OP };

int main(void)
{
    static const char alphabet[] = "abcxyz_ABC0123456789 \n\t\"\\/*+-=<>;(){}0x";
    uint32_t seed = 0x7E57AB1E;
    for (int i = 0; i < LEN; i++) text[i] = alphabet[xorshift32(&seed) % (sizeof alphabet - 1)];

    uint32_t counts[9] = {0};
    uint32_t hash = 2166136261u;
    for (int it = 0; it < ITER; it++) {
        enum state s = S_START;
        for (int i = 0; i < LEN; i++) {
            char c = text[i];
            hash = (hash ^ (uint8_t)c) * 16777619u;
            switch (s) {
            case S_START:
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') s = S_IDENT;
                else if (c == '0') s = S_HEX;
                else if (c >= '1' && c <= '9') s = S_NUMBER;
                else if (c == '"') s = S_STRING;
                else if (c == '/') s = S_SLASH;
                else if (c == ' ' || c == '\n' || c == '\t') s = S_START;
                else s = S_OP;
                break;
            case S_IDENT:
                if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (c >= '0' && c <= '9'))) {
                    counts[S_IDENT]++;
                    s = S_START;
                    i--;
                }
                break;
            case S_HEX:
                if (c == 'x') s = S_NUMBER;
                else if (c >= '0' && c <= '9') s = S_NUMBER;
                else { counts[S_HEX]++; s = S_START; i--; }
                break;
            case S_NUMBER:
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) { counts[S_NUMBER]++; s = S_START; i--; }
                break;
            case S_STRING:
                if (c == '\\') s = S_ESCAPE;
                else if (c == '"' || c == '\n') { counts[S_STRING]++; s = S_START; }
                break;
            case S_ESCAPE:
                s = S_STRING;
                break;
            case S_SLASH:
                if (c == '*') s = S_COMMENT;
                else { counts[S_OP]++; s = S_START; i--; }
                break;
            case S_COMMENT:
                if (c == '/' && text[i - 1] == '*') { counts[S_COMMENT]++; s = S_START; }
                break;
            case S_OP:
                counts[S_OP]++;
                s = S_START;
                i--;
                break;
            }
        }
        text[(it * 131) % LEN] = text[(it * 71) % LEN];
    }
    uint32_t sum = hash;
    for (int k = 0; k < 9; k++) sum = sum * 31u + counts[k];
    return bench_done("bench_statemachine", sum);
}
