/**
 * Runs one of our test ELFs on emboard's mps2-an386 and collects what UART0 printed and the semihosting
 * exit status, the same observables the QEMU runner gives.
 *
 * Transitional glue, so the comparison works at every stage of integration: if the machine does not yet
 * register the SoC, attach the core system (SCS at 0xE000E000) or install semihosting, this does it with
 * the same public pieces the machine uses. Once the machine does all three, the fallbacks are inert.
 */
import { readFileSync } from 'node:fs';
import { Machine } from '../../src/core/machine.js';
import type { SocFactory } from '../../src/core/soc.js';
import { Semihosting } from '../../src/cpu/armv7m/semihosting.js';
import { attachCoreSystem } from '../../src/cpu/armv7m/system/index.js';
import { loadImageBytes } from '../../src/image/load.js';
import { SOC_FACTORIES } from '../../src/soc/index.js';
import { createMps2An386 } from '../../src/soc/mps2/an386.js';

export interface EmboardResult {
  stdout: string;
  status: number;
  reason: string;
  instructions: number;
  cycles: number;
}

export function runOnEmboard(elf: string, maxInstructions = 200_000_000): EmboardResult {
  if (!SOC_FACTORIES.has('mps2-an386')) {
    // The registry is a Map under its read-only type; registering here only until src/soc/index.ts does.
    (SOC_FACTORIES as Map<string, SocFactory>).set('mps2-an386', createMps2An386);
  }
  const m = new Machine({ board: 'mps2-an386' });
  const out: number[] = [];
  m.console.onTransmit((b) => out.push(b));
  if (m.bus.regionAt(0xe000_e000) === undefined) {
    const sys = attachCoreSystem(m.cpu, m.bus, m.scheduler, {
      cpuHz: m.board.cpuHz,
      systickExternalHz: 1_000_000,
      log: m.log,
      numIrq: m.board.nvic?.irqs ?? 32,
      priorityBits: m.board.nvic?.priorityBits ?? 8,
    });
    m.irq.target = sys.nvic;
  }
  if (m.cpu.semihosting === null) {
    m.cpu.semihosting = new Semihosting({ cpuHz: m.board.cpuHz, write: (_s, bytes) => out.push(...bytes) });
  }
  m.loadImage(loadImageBytes(new Uint8Array(readFileSync(elf)), elf));
  m.reset();
  const r = m.run({ maxInstructions, timeoutCycles: 25_000_000 * 120 });
  return {
    stdout: Buffer.from(out).toString('latin1'),
    status: r.reason === 'exit' ? r.exitCode : -1,
    reason: r.reason,
    instructions: r.instructions,
    cycles: r.cycles,
  };
}
