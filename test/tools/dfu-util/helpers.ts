/** In-process `emboard dfu-util` runs against a board's emulated DFU bootloader, for the dfu-util tests. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BoardBus } from '../../../src/tools/dfu-util/board-device.js';
import { runDfuUtil } from '../../../src/tools/dfu-util/main.js';
import { takeEmboardOptions } from '../../../src/tools/dfu-util/emboard-options.js';

export interface DfuRun {
  code: number;
  out: string;
  err: string;
  pollMs: number;
  bus: BoardBus;
}

/** Runs dfu-util with `args` (emboard's --board/--flash/--protect-sectors included) in this process. */
export function dfu(args: string[], stdin?: Uint8Array): DfuRun {
  const o = takeEmboardOptions(args);
  const bus = new BoardBus({ board: o.board, flashPath: o.flashPath, protectSectors: o.protectSectors });
  let out = '';
  let err = '';
  const r = runDfuUtil(o.rest, { devices: () => bus.devices(), out: (t) => (out += t), err: (t) => (err += t), stdin: stdin && (() => stdin) });
  bus.close();
  return { code: r.code, out, err, pollMs: r.pollMs, bus };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'emboard-dfu-'));
}

/** stdout without the banner (its first 7 lines). */
export function afterBanner(out: string): string {
  return out.split('\n').slice(7).join('\n');
}
