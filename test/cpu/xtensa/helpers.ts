/** Test rig for the Xtensa core: IRAM/DRAM as on the ESP32, programs from our assembler, run to BREAK. */
import { Bus } from '../../../src/core/bus.js';
import { XtensaCpu } from '../../../src/cpu/xtensa/cpu.js';
import { XtAsm } from '../../../src/cpu/xtensa/asm.js';
import { SR } from '../../../src/cpu/xtensa/sr.js';

export const IRAM = 0x40080000;
export const DRAM = 0x3ffb0000;

export function makeCpu(): XtensaCpu {
  const bus = new Bus();
  bus.addRam('iram', IRAM, 0x20000);
  bus.addRam('dram', DRAM, 0x10000);
  return new XtensaCpu(bus);
}

/**
 * Assembles `body` at IRAM + 0x400 (room below for the vectors: VECBASE = IRAM), followed by BREAK, runs it
 * to the BREAK and returns the CPU. `vectors` may place handlers (asm with base IRAM).
 */
export function run(body: (a: XtAsm) => void, opts: { setup?: (cpu: XtensaCpu) => void; vectors?: (a: XtAsm) => void; max?: number } = {}): XtensaCpu {
  const cpu = makeCpu();
  if (opts.vectors) {
    const v = new XtAsm(IRAM);
    opts.vectors(v);
    cpu.bus.load(IRAM, v.assemble());
  }
  const a = new XtAsm(IRAM + 0x400);
  body(a);
  a.label('__end').break_(1, 15);
  cpu.bus.load(IRAM + 0x400, a.assemble());
  cpu.writeSR(SR.VECBASE, IRAM);
  cpu.ps = 0; // EXCM clear, INTLEVEL 0, WOE off (windowed tests turn it on)
  cpu.pc = IRAM + 0x400;
  opts.setup?.(cpu);
  cpu.instructionLimit = opts.max ?? 10000;
  cpu.run(Infinity);
  return cpu;
}

/** Unsigned view of a register for expectations written in hex. */
export const u = (v: number): number => v >>> 0;
