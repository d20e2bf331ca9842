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

export const KNOWN_DIVERGENCES: readonly KnownDivergence[] = [];

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
