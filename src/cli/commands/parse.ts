/** Flag value parsers shared by the commands: they throw commander's InvalidArgumentError (exit 2). */
import { InvalidArgumentError } from 'commander';

export function parseNumber(flag: string) {
  return (v: string): number => {
    const n = Number(v.replace(/_/g, ''));
    if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${flag} expects a non-negative number, got '${v}'`);
    return n;
  };
}

export function parseAddress(v: string): number {
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new InvalidArgumentError(`expects an address such as 0x08000000, got '${v}'`);
  return n;
}
