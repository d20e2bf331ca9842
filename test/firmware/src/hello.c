/* Prints a greeting and a few formatted numbers, then exits with status 0. */
#include "rt.h"

int main(void)
{
    print("Hello from emboard test firmware on mps2-an386!\n");
    print("dec=%d neg=%d hex=%08x str=%s chr=%c\n", 12345, -42, 0xC0FFEEu, "ok", 'Z');
    uint32_t scc_id = REG32(0x4002FFFC);
    print("SCC ID=%08x\n", scc_id);
    print("bye\n");
    return 0;
}
