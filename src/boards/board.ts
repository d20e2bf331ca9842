/**
 * Board descriptions are data: `boards/<name>.json` or `boards/<name>/board.json`. A board names its
 * SoC, clock, console UART and the SoC options (pins, external parts). Adding a board needs no code.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { UserError } from '../core/errors.js';
import { packageRoot } from '../core/paths.js';

export interface BoardSpec {
  readonly name: string;
  readonly description?: string;
  /** SoC model name, registered in src/soc/index.ts. */
  readonly soc: string;
  /** CPU clock in Hz at reset (cycles per virtual second). */
  readonly cpuHz: number;
  /** Label of the UART that is the console (stdio by default). */
  readonly console: string;
  /** Default load address for raw binaries. */
  readonly flashBase?: number;
  /** NVIC configuration: number of external interrupts and implemented priority bits. */
  readonly nvic?: { readonly irqs?: number; readonly priorityBits?: number };
  /** SysTick: external reference clock (CLKSOURCE=0) in Hz. */
  readonly systick?: { readonly externalHz?: number; readonly calib?: number };
  /** SoC-specific options (pins, external flash, …), passed to the SoC factory as they are. */
  readonly options?: Readonly<Record<string, unknown>>;
  /** Built-in demo firmware, relative to the board file's folder (used by `--demo` / `npm start`). */
  readonly demo?: string;
  /** Folder the board file lives in (filled in by the loader). */
  readonly dir: string;
}

function boardsDir(): string {
  return join(packageRoot(), 'boards');
}

export function listBoards(): string[] {
  const dir = boardsDir();
  if (!existsSync(dir)) return [];
  const names: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isFile() && e.name.endsWith('.json')) names.push(e.name.slice(0, -5));
    else if (e.isDirectory() && existsSync(join(dir, e.name, 'board.json'))) names.push(e.name);
  }
  return names.sort();
}

/** Reads and validates a board file; `nameOrPath` is a board name or a path to a JSON file. */
export function loadBoard(nameOrPath: string): BoardSpec {
  let file: string;
  if (nameOrPath.endsWith('.json') && existsSync(nameOrPath)) file = nameOrPath;
  else {
    const flat = join(boardsDir(), `${nameOrPath}.json`);
    const nested = join(boardsDir(), nameOrPath, 'board.json');
    file = existsSync(flat) ? flat : nested;
    if (!existsSync(file)) {
      throw new UserError(`unknown board '${nameOrPath}' (known: ${listBoards().join(', ') || 'none'})`);
    }
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`${file}: not valid JSON: ${(e as Error).message}`);
  }
  return validateBoard(raw, file);
}

export function validateBoard(raw: unknown, file: string): BoardSpec {
  if (typeof raw !== 'object' || raw === null) throw new UserError(`${file}: board file must be a JSON object`);
  const o = raw as Record<string, unknown>;
  const need = (k: string, t: 'string' | 'number') => {
    if (typeof o[k] !== t) throw new UserError(`${file}: field "${k}" must be a ${t}`);
  };
  need('name', 'string');
  need('soc', 'string');
  need('cpuHz', 'number');
  need('console', 'string');
  return { ...(o as unknown as Omit<BoardSpec, 'dir'>), dir: dirname(file) };
}
