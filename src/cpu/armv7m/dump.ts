/** Human-readable core state for error reports (`emboard run` prints it on lockup). */
import type { CortexM4 } from './cpu.js';

const h = (v: number) => (v >>> 0).toString(16).padStart(8, '0');

export function formatRegisters(cpu: CortexM4): string {
  const r = cpu.r;
  const lines: string[] = [];
  for (let i = 0; i < 16; i += 4) {
    const cols: string[] = [];
    for (let j = i; j < i + 4; j++) {
      const name = j === 13 ? 'sp' : j === 14 ? 'lr' : j === 15 ? 'pc' : `r${j}`;
      cols.push(`${name.padStart(3)}=${h(j === 15 ? cpu.pc : r[j]!)}`);
    }
    lines.push(cols.join(' '));
  }
  const flags = `${cpu.n ? 'N' : '-'}${cpu.z ? 'Z' : '-'}${cpu.c ? 'C' : '-'}${cpu.v ? 'V' : '-'}${cpu.q ? 'Q' : '-'}`;
  lines.push(
    `xpsr=${h(cpu.xpsr)} [${flags}] msp=${h(cpu.getMsp())} psp=${h(cpu.getPsp())} control=${cpu.control} primask=${cpu.primask} basepri=${cpu.basepri} faultmask=${cpu.faultmask}`,
  );
  lines.push(`cycles=${cpu.cycles} instructions=${cpu.instructions}`);
  return lines.join('\n');
}
