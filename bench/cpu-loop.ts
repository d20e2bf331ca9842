/**
 * Micro-benchmark of the interpreter's hot loop on a bare core: a tight ADDS/CMP/BNE loop and a
 * load/store loop. Prints MIPS. `node --import tsx bench/cpu-loop.ts`.
 */
import { makeCpu } from '../test/helpers/cpu-harness.js';

function measure(name: string, code: number[], setup: (r: Int32Array) => void): void {
  const { cpu } = makeCpu(code);
  setup(cpu.r);
  const t0 = performance.now();
  cpu.run(200_000_000);
  const ms = performance.now() - t0;
  process.stdout.write(`${name}: ${cpu.instructions} instructions in ${ms.toFixed(0)} ms = ${(cpu.instructions / ms / 1000).toFixed(1)} MIPS (stop: ${cpu.stopReason ?? 'cycle limit'})\n`);
}

// 0x100: movs r0,#0 ; 0x102: adds r0,#1 ; cmp r0,r1 ; bne 0x102 ; bkpt
measure('alu loop', [0x2000, 0x3001, 0x4288, 0xd1fc, 0xbe00], (r) => (r[1] = 20_000_000));
// 0x100: movs r0,#0 ; 0x102: ldr r3,[r2] ; adds r3,#1 ; str r3,[r2] ; adds r0,#1 ; cmp r0,r1 ; bne 0x102 ; bkpt
measure('load/store loop', [0x2000, 0x6813, 0x3301, 0x6013, 0x3001, 0x4288, 0xd1f9, 0xbe00], (r) => {
  r[1] = 10_000_000;
  r[2] = 0x20000000;
});
