/**
 * The `--flash FILE` state file (src/core/flash-state.ts): format, load/save, debounce, errors that leave
 * everything untouched, and atomicity under SIGKILL (a child process saving in a loop is killed mid-write).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/core/machine.js';
import {
  FlashState,
  loadStores,
  openFlashState,
  removeStaleTemps,
  saveStores,
  storeFilePath,
  writeFileAtomic,
} from '../../src/core/flash-state.js';
import { UserError } from '../../src/core/errors.js';
import type { PersistentStore } from '../../src/core/soc.js';
import type { Stm32f411Instance } from '../../src/soc/stm32f411/index.js';

const ROOT = join(__dirname, '../..');
const KiB = 1024;

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'emboard-fs-'));
}

function f411(): { m: Machine; soc: Stm32f411Instance } {
  const m = new Machine({ board: 'NUCLEO_F411RE' });
  return { m, soc: m.soc as Stm32f411Instance };
}

function memStore(name: string, size: number): PersistentStore & { fire(o: number, l: number): void } {
  const listeners: ((o: number, l: number) => void)[] = [];
  return {
    name,
    bytes: new Uint8Array(size).fill(0xff),
    size,
    erasedValue: 0xff,
    onChange: (l) => void listeners.push(l),
    fire: (o, l) => listeners.forEach((f) => f(o, l)),
  };
}

/** Programs one word through the FLASH interface as firmware does (unlock, PSIZE x32 + PG, write). */
function programWord(m: Machine, addr: number, value: number): void {
  m.bus.write32(0x4002_3c04, 0x4567_0123);
  m.bus.write32(0x4002_3c04, 0xcdef_89ab);
  m.bus.write32(0x4002_3c10, (2 << 8) | 1);
  m.bus.write32(addr, value);
}

describe('flash state file', () => {
  it('names one raw file per store: FILE for internal flash, FILE.spi for SPI flash', () => {
    expect(storeFilePath('/x/state.bin', 'flash')).toBe('/x/state.bin');
    expect(storeFilePath('/x/state.bin', 'spi-flash')).toBe('/x/state.bin.spi');
    expect(storeFilePath('/x/state.bin', 'eeprom')).toBe('/x/state.bin.eeprom');
  });

  it('the F411 offers its 512 KiB internal flash at 0x08000000 with the RM0383 sector map', () => {
    const { soc } = f411();
    const [s, ...rest] = soc.persistentStores();
    expect(rest).toEqual([]);
    expect(s!.name).toBe('flash');
    expect(s!.size).toBe(512 * KiB);
    expect(s!.base).toBe(0x0800_0000);
    expect(s!.sectors!.map((x) => x.size / KiB)).toEqual([16, 16, 16, 16, 64, 128, 128, 128]);
    expect(s!.bytes).toBe(soc.flashStorage.bytes);
  });

  it('is created from the machine on first use and holds the raw flash image', () => {
    const dir = tmp();
    const path = join(dir, 'state.bin');
    const { m } = f411();
    m.bus.load(0x0800_0000, Uint8Array.from([1, 2, 3, 4]));
    const st = openFlashState(path, m.soc);
    expect(st.created).toBe(true);
    expect(existsSync(path)).toBe(false); // opening never writes
    st.markAllDirty();
    st.close();
    const data = readFileSync(path);
    expect(data.length).toBe(512 * KiB);
    expect([...data.subarray(0, 6)]).toEqual([1, 2, 3, 4, 0xff, 0xff]);
    expect(readdirSync(dir)).toEqual(['state.bin']); // no temporary file left behind
  });

  it('loads the file into flash on the next run; firmware programming (NOR) is saved on close', () => {
    const dir = tmp();
    const path = join(dir, 'state.bin');
    const img = new Uint8Array(512 * KiB).fill(0xff);
    img.set([0xf0, 0x0f, 0xaa, 0x55], 0x4000);
    writeFileSync(path, img);
    const { m, soc } = f411();
    const st = openFlashState(path, m.soc, { debounceMs: 60_000 });
    expect(st.created).toBe(false);
    expect(m.bus.read32(0x0800_4000) >>> 0).toBe(0x55aa0ff0);
    expect(m.bus.read32(0x0000_4000) >>> 0).toBe(0x55aa0ff0); // boot alias sees it too
    st.watch();
    programWord(m, 0x0800_4000, 0x0f0f_0f0f); // NOR: old AND new
    expect(soc.flash.regs.get('SR') & 0xf2).toBe(0);
    expect(readFileSync(path)[0x4000]).toBe(0xf0); // not yet written (debounced)
    st.close();
    expect([...readFileSync(path).subarray(0x4000, 0x4004)]).toEqual([0x00, 0x0f, 0x0a, 0x05]);
  });

  it('writes in the background after the debounce delay (host time)', async () => {
    const path = join(tmp(), 'state.bin');
    const s = memStore('flash', 4096);
    const st = new FlashState(path, [s], { debounceMs: 20 });
    st.watch();
    s.bytes[7] = 0x12;
    s.fire(7, 1);
    expect(existsSync(path)).toBe(false);
    await new Promise((r) => setTimeout(r, 150));
    expect(readFileSync(path)[7]).toBe(0x12);
    st.close();
  });

  it('keeps every store: the SPI flash goes to FILE.spi', () => {
    const path = join(tmp(), 'state.bin');
    const a = memStore('flash', 1024);
    const b = memStore('spi-flash', 2048);
    a.bytes[0] = 1;
    b.bytes[0] = 2;
    saveStores(path, [a, b]);
    expect(statSync(path).size).toBe(1024);
    expect(statSync(`${path}.spi`).size).toBe(2048);
    const a2 = memStore('flash', 1024);
    const b2 = memStore('spi-flash', 2048);
    expect(loadStores(path, [a2, b2])).toEqual({ loaded: ['flash', 'spi-flash'], missing: [] });
    expect([a2.bytes[0], b2.bytes[0]]).toEqual([1, 2]);
    // Only the internal flash exists yet: the SPI store stays erased and is reported missing.
    const path2 = join(tmp(), 'state.bin');
    writeFileSync(path2, a.bytes);
    const b3 = memStore('spi-flash', 2048);
    expect(loadStores(path2, [memStore('flash', 1024), b3]).missing).toEqual(['spi-flash']);
    expect(b3.bytes[0]).toBe(0xff);
  });

  it('a wrong size is a one-line UserError naming the file; neither the file nor any store changes', () => {
    const path = join(tmp(), 'state.bin');
    const bad = new Uint8Array(100 * KiB).fill(0x5a);
    writeFileSync(path, bad);
    const { m, soc } = f411();
    const before = soc.flashStorage.bytes.slice();
    let err: unknown;
    try {
      openFlashState(path, m.soc);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).message).toBe(`${path}: flash state file is 102400 bytes but this board's flash is 524288 bytes (another board's file?)`);
    expect((err as UserError).exitCode).toBe(2);
    expect(Buffer.compare(readFileSync(path), Buffer.from(bad))).toBe(0);
    expect(Buffer.compare(Buffer.from(soc.flashStorage.bytes), Buffer.from(before))).toBe(0);
  });

  it('a good internal flash file is not loaded when the SPI file beside it is bad (all or nothing)', () => {
    const path = join(tmp(), 'state.bin');
    const goodA = new Uint8Array(1024).fill(0x11);
    writeFileSync(path, goodA);
    writeFileSync(`${path}.spi`, new Uint8Array(10));
    const a = memStore('flash', 1024);
    expect(() => loadStores(path, [a, memStore('spi-flash', 2048)])).toThrow(/state\.bin\.spi: flash state file is 10 bytes/);
    expect(a.bytes[0]).toBe(0xff);
  });

  it('a directory or an unreadable path is a UserError naming it', () => {
    const dir = tmp();
    const d = join(dir, 'state.bin');
    mkdirSync(d);
    const { m } = f411();
    expect(() => openFlashState(d, m.soc)).toThrow(`${d}: flash state file is a directory`);
    const file = join(dir, 'plain');
    writeFileSync(file, 'x');
    expect(() => saveStores(join(file, 'state.bin'), [memStore('flash', 16)])).toThrow(new RegExp(`${file}/state.bin: cannot write flash state file \\(ENOTDIR\\)`));
  });

  it('a state file in a folder that does not exist is refused at open, before anything runs', () => {
    const { m } = f411();
    const path = join(tmp(), 'no', 'state.bin');
    expect(() => openFlashState(path, m.soc)).toThrow(`${path}: folder ${join(path, '..')} does not exist (the flash state file is created there)`);
  });

  it('a board without persistent memory refuses --flash', () => {
    const m = new Machine({ board: 'mps2-an386' });
    expect(() => openFlashState(join(tmp(), 's.bin'), m.soc)).toThrow(/has no persistent flash/);
  });

  it('removes temporary files of dead processes, keeps those of live ones', () => {
    const dir = tmp();
    const path = join(dir, 'state.bin');
    writeFileSync(join(dir, '.state.bin.emboard-tmp-999999999'), 'torn');
    writeFileSync(join(dir, `.state.bin.emboard-tmp-${process.ppid}`), 'busy');
    writeFileSync(join(dir, '.other.bin.emboard-tmp-999999999'), 'not ours');
    removeStaleTemps(path);
    expect(readdirSync(dir).sort()).toEqual(['.other.bin.emboard-tmp-999999999', `.state.bin.emboard-tmp-${process.ppid}`]);
  });

  it('writeFileAtomic replaces the file in one step (the old inode stays intact for readers)', () => {
    const path = join(tmp(), 'f.bin');
    writeFileSync(path, 'old');
    const ino = statSync(path).ino;
    writeFileAtomic(path, Buffer.from('new contents'));
    expect(readFileSync(path, 'utf8')).toBe('new contents');
    expect(statSync(path).ino).not.toBe(ino);
  });

  it('a process killed (SIGKILL) while saving in a loop never leaves a torn file', async () => {
    const dir = tmp();
    const path = join(dir, 'state.bin');
    // Child: 512 KiB store, fill with k (1, 2, 3 …) and save, forever; prints k after each save.
    const script = `
      import { saveStores } from ${JSON.stringify(join(ROOT, 'src/core/flash-state.ts'))};
      const bytes = new Uint8Array(${512 * KiB});
      const s = { name: 'flash', bytes, size: bytes.length, erasedValue: 255, onChange() {} };
      for (let k = 1; ; k = (k % 250) + 1) { bytes.fill(k); saveStores(${JSON.stringify(path)}, [s]); process.stdout.write(k + '\\n'); }
    `;
    const scriptFile = join(dir, 'saver.mts');
    writeFileSync(scriptFile, script);
    for (let round = 0; round < 6; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', scriptFile], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
      let saves = 0;
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (b: Buffer) => {
          saves += b.toString().split('\n').length - 1;
          // Kill after a few saves, at a moment that depends on the round (mid-write most of the time).
          if (saves >= 3 + round) {
            setTimeout(() => child.kill('SIGKILL'), round);
          }
        });
        child.on('exit', () => resolve());
      });
      const data = readFileSync(path);
      expect(data.length).toBe(512 * KiB);
      const k = data[0]!;
      expect(k).toBeGreaterThan(0);
      expect(data.every((x) => x === k)).toBe(true);
    }
    // Whatever temporary file the kills left is cleaned up by the next open.
    removeStaleTemps(path);
    expect(readdirSync(dir).filter((n) => n.includes('emboard-tmp'))).toEqual([]);
  }, 60_000);
});
