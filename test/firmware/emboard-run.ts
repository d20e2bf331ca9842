/**
 * Runs one of our test ELFs on emboard's mps2-an386 and collects what UART0 printed and the semihosting
 * exit status, the same observables the QEMU runner gives.
 */
import { readFileSync } from 'node:fs';
import { Machine } from '../../src/core/machine.js';
import { loadImageBytes } from '../../src/image/load.js';

export interface EmboardResult {
  stdout: string;
  status: number;
  reason: string;
  instructions: number;
  cycles: number;
}

/** `input` goes to UART0's receive side once the guest has printed `input.after` (as the QEMU runner does). */
export function runOnEmboard(elf: string, maxInstructions = 200_000_000, input?: { input: string; after: string }): EmboardResult {
  const out: number[] = [];
  // Semihosting console writes (none in our programs) would land in the same stream, as in QEMU.
  const m = new Machine({ board: 'mps2-an386', semihosting: { write: (_s, bytes) => out.push(...bytes) } });
  let sent = input === undefined;
  m.console.onTransmit((b) => {
    out.push(b);
    if (!sent && Buffer.from(out).toString('latin1').endsWith(input!.after)) {
      sent = true;
      m.console.inject(Buffer.from(input!.input, 'latin1'));
    }
  });
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
