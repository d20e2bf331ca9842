/**
 * Known divergences between our core and Unicorn 2.0.1, matched by generator template (ARM ARM encoding
 * name) and, where needed, a predicate. Two kinds, both documented in docs/testing-cpu.md:
 * - 'unicorn-bug': Unicorn is wrong; the reason cites the ARM ARM (DDI0403E) rule it breaks.
 * - 'open': our core is wrong (or lacks the encoding) and the owner of the instruction module has not
 *   fixed it yet. These keep the differential test green meanwhile; remove each entry once fixed.
 */
import type { Divergence, DivergenceKind } from './diff.js';

export interface KnownDivergence {
  template: string;
  kind?: DivergenceKind;
  status: 'unicorn-bug' | 'open';
  reason: string;
  /** Narrows the entry to some instances (e.g. only when FPSCR.DN is set). */
  match?: (d: Divergence) => boolean;
}

const UNALIGNED_REASON =
  'Unicorn 2.0.1 (QEMU 5.0 based) performs the access instead of faulting. ARMv7-M ARM (DDI0403E) A3.2.1 ' +
  '"Alignment behavior": only LDR/STR{,H,T,HT,SH,SHT} may be unaligned; every other load/store (LDM, STM, ' +
  'PUSH, POP, LDRD, STRD, the exclusives, VLDR/VSTR/VLDM/VSTM) uses MemA[] and raises UsageFault with ' +
  'UFSR.UNALIGNED for an address that is not aligned to its access size, whatever CCR.UNALIGN_TRP says.';

/** Our core faults with UsageFault UNALIGNED (and Unicorn does not). */
const oursUnaligned = (d: Divergence): boolean => d.diffs.some((x) => x.includes('UsageFault UNALIGNED'));

/** The only difference is APSR.Q (xPSR bit 27). */
const onlyQ = (d: Divergence): boolean => d.diffs.length === 1 && d.diffs[0]!.includes('(xor 0x08000000)');

export const KNOWN_DIVERGENCES: readonly KnownDivergence[] = [
  {
    template: 'MSR T1 (PRIMASK/FAULTMASK)',
    kind: 'state',
    status: 'unicorn-bug',
    reason: 'see the MRS FAULTMASK entry: MSR FAULTMASK must be ignored while the execution priority is -1.',
    match: (d) => /faultmask/.test(d.disasm) && d.diffs.length === 1 && d.diffs[0] === 'faultmask: ours=0x00000001 unicorn=0x00000000',
  },
  {
    template: 'MRS T1 (special register)',
    kind: 'state',
    status: 'unicorn-bug',
    reason:
      'MSR FAULTMASK while FAULTMASK = 1 (e.g. after CPSID f): DDI0403E MSR pseudocode writes FAULTMASK only ' +
      '"if CurrentModeIsPrivileged() && ExecutionPriority() > -1", and FAULTMASK = 1 makes the execution ' +
      'priority -1, so the write is ignored; Unicorn (QEMU v7m_msr) writes it unconditionally. Seen when a ' +
      'later MRS reads FAULTMASK: ours 1, Unicorn 0.',
    match: (d) => /faultmask/.test(d.disasm) && d.diffs.length === 1 && /: ours=0x00000001 unicorn=0x00000000$/.test(d.diffs[0]!),
  },
  {
    template: 'SMLAD/SMUAD T1',
    kind: 'state',
    status: 'unicorn-bug',
    reason:
      'Unicorn sets Q when product1 + product2 overflows 32 bits even if adding Ra brings the sum back into ' +
      'range (both products 0x40000000: halfwords 0x8000 * 0x8000). DDI0403E SMLAD pseudocode: result = ' +
      'product1 + product2 + SInt(R[a]) computed exactly; Q is set only if result != SInt(result<31:0>).',
    match: onlyQ,
  },
  { template: 'LDRD (immediate) T1 misaligned: UsageFault', kind: 'fault-ours-only', status: 'unicorn-bug', reason: UNALIGNED_REASON, match: oursUnaligned },
  { template: 'STRD (immediate) T1 misaligned: UsageFault', kind: 'fault-ours-only', status: 'unicorn-bug', reason: UNALIGNED_REASON, match: oursUnaligned },
  { template: 'LDM T2 misaligned: UsageFault', kind: 'fault-ours-only', status: 'unicorn-bug', reason: UNALIGNED_REASON, match: oursUnaligned },
  { template: 'STM T2 misaligned: UsageFault', kind: 'fault-ours-only', status: 'unicorn-bug', reason: UNALIGNED_REASON, match: oursUnaligned },
  { template: 'VLDR (single) misaligned: UsageFault', kind: 'fault-ours-only', status: 'unicorn-bug', reason: UNALIGNED_REASON, match: oursUnaligned },
  { template: 'VSTR (single) misaligned: UsageFault', kind: 'fault-ours-only', status: 'unicorn-bug', reason: UNALIGNED_REASON, match: oursUnaligned },
];

/** The reason a divergence is known, or null when it is new (a failure). */
export function knownReason(d: Divergence): string | null {
  for (const k of KNOWN_DIVERGENCES) {
    if (k.template !== d.template) continue;
    if (k.kind !== undefined && k.kind !== d.kind) continue;
    if (k.match !== undefined && !k.match(d)) continue;
    return `${k.status}: ${k.reason}`;
  }
  return null;
}
