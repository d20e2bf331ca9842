/**
 * `emboard run` board-level options: --flash state file across runs, several images with @ADDR, --boot0,
 * --hse, --button, --vcd (parsed as IEEE 1364 VCD), --reset-after, and bad input that must leave the
 * state file byte-for-byte untouched. Most cases run in-process (library or in-process CLI); two run the
 * real CLI in a child process for exit codes and signals.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runFirmware, type RunFirmwareOptions } from '../../src/core/run-firmware.js';
import { Machine } from '../../src/core/machine.js';
import { pino } from 'pino';
import { silentLogger } from '../../src/core/logger.js';
import { parseImageArg } from '../../src/core/place-images.js';
import { applyBoardOverrides, parseButtonSpec, parseDuration } from '../../src/core/board-overrides.js';
import { vcdId } from '../../src/core/vcd.js';
import type { Stm32f411Instance } from '../../src/soc/stm32f411/index.js';
import { F411_BIN } from '../firmware/f411/programs.js';
import { cliInProcess } from './in-process-cli.js';

const ROOT = join(__dirname, '../..');
const CLI = join(ROOT, 'src/cli/main.ts');
const KiB = 1024;
const BOOT_STATE = join(F411_BIN, 'boot_state.elf');
const HELLO_ELF = join(F411_BIN, 'hello.elf');
const HELLO_BIN = join(F411_BIN, 'hello.bin');

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'emboard-board-'));
}

async function run(o: Partial<RunFirmwareOptions> & { board?: string }) {
  const out: number[] = [];
  const r = await runFirmware({
    board: 'NUCLEO_F411RE',
    log: silentLogger(),
    semihosting: true,
    timeoutMs: 2000,
    output: (b) => void out.push(...b),
    flashSaveDelayMs: 5,
    ...o,
  });
  return { ...r, stdout: Buffer.from(out).toString('latin1') };
}

describe('run --flash: the state file across runs', () => {
  it('is created from the image, updated by firmware flash programming, and boots without an image', async () => {
    const path = join(tmp(), 'state.bin');
    const first = await run({ images: [{ path: BOOT_STATE }], flashState: path });
    expect(first.stdout).toContain('boot record 1 in flash');
    expect(first.result.reason).toBe('exit');
    const data = readFileSync(path);
    expect(data.length).toBe(512 * KiB);
    // The image sits at offset 0 (sector 0 programmed from the ELF) …
    const elfBin = readFileSync(join(F411_BIN, 'boot_state.bin'));
    expect(Buffer.compare(data.subarray(0, elfBin.length), elfBin)).toBe(0);
    expect(data[elfBin.length]).toBe(0xff);
    // … and the firmware's own flash write (sector 5) was saved on exit.
    expect(data.readUInt32LE(0x20000)).toBe(0xb0070001);
    // Next run: no image; the firmware finds its first record and writes the second.
    const second = await run({ flashState: path });
    expect(second.stdout).toContain('boot record 2 in flash');
    expect(readFileSync(path).readUInt32LE(0x20004)).toBe(0xb0070002);
    // Giving the image again re-programs sector 0 only (as a programmer would): sector 5 keeps its records.
    const third = await run({ images: [{ path: BOOT_STATE }], flashState: path });
    expect(third.stdout).toContain('boot record 3 in flash');
  });

  it('--spi-flash fits a W25Q whose contents go to FILE.spi (8 MiB for w25q64, erased); a wrong size is refused', async () => {
    const path = join(tmp(), 'state.bin');
    const r = await run({ board: 'WeAct_F411CE', images: [{ path: BOOT_STATE }], flashState: path, boardOverrides: { spiFlash: 'w25q64' } });
    expect(r.result.exitCode).toBe(0);
    const spi = readFileSync(`${path}.spi`);
    expect(spi.length).toBe(8 * 1024 * KiB);
    expect(spi.every((b) => b === 0xff)).toBe(true);
    spi[0] = 0x42;
    writeFileSync(`${path}.spi`, spi);
    const again = await run({ board: 'WeAct_F411CE', flashState: path, boardOverrides: { spiFlash: 'w25q64' } });
    const store = again.machine.soc.persistentStores!().find((s) => s.name === 'spi-flash')!;
    expect(store.bytes[0]).toBe(0x42);
    await expect(run({ board: 'WeAct_F411CE', flashState: path, boardOverrides: { spiFlash: 'w25q16' } })).rejects.toThrow(
      `${path}.spi: flash state file is 8388608 bytes but this board's spi-flash is 2097152 bytes`,
    );
  });

  it('without an image and without an existing state file there is nothing to run', async () => {
    const path = join(tmp(), 'state.bin');
    await expect(run({ flashState: path })).rejects.toThrow(`no firmware file given and ${path} does not exist yet`);
    expect(existsSync(path)).toBe(false);
  });
});

describe('run with several images', () => {
  it('two raw binaries with @ADDR in one sector are programmed together (sector erased once)', async () => {
    const dir = tmp();
    const bin = readFileSync(HELLO_BIN);
    writeFileSync(join(dir, 'fw0.bin'), bin.subarray(0, 0x400));
    writeFileSync(join(dir, 'fw1.bin'), bin.subarray(0x400));
    const r = await run({ images: [parseImageArg(join(dir, 'fw0.bin@0x08000000')), parseImageArg(join(dir, 'fw1.bin@0x08000400'))] });
    expect(r.stdout).toContain('hello from the STM32F411');
    expect(r.result.exitCode).toBe(0);
  });

  it('parses FILE@ADDR', () => {
    expect(parseImageArg('fw1.bin@0x08020000')).toEqual({ path: 'fw1.bin', address: 0x08020000 });
    expect(parseImageArg('fw.bin@134217728')).toEqual({ path: 'fw.bin', address: 0x08000000 });
    expect(parseImageArg('dir@home/fw.bin')).toEqual({ path: 'dir@home/fw.bin' });
    expect(() => parseImageArg('fw.bin@0x0800zz00')).toThrow("fw.bin@0x0800zz00: bad load address '@0x0800zz00'");
    expect(() => parseImageArg('fw.bin@')).toThrow("'@' without an address");
    expect(() => parseImageArg('fw.bin@0x100000000')).toThrow('bad load address');
  });
});

describe('board options', () => {
  it('--boot0 boots the system memory: SP and reset vector from 0x1FFF0000, the application never runs', async () => {
    const r = await run({ images: [{ path: HELLO_ELF }], boardOverrides: { boot0: true }, timeoutMs: 5 });
    const soc = r.machine.soc as Stm32f411Instance;
    expect(r.stdout).toBe('');
    expect(r.machine.bus.regionAt(0)!.storage).toBe(soc.systemMemory);
    // Whatever bootloader system memory holds (placeholder WFI loop or DFU), the core runs inside it.
    const pc = r.machine.cpu.pc >>> 0;
    expect(pc >= 0x1fff0000 && pc < 0x1fff7800).toBe(true);
    // The bootloader needs no application: --boot0 with a new state file starts on blank flash and creates it.
    const path = join(tmp(), 'blank.bin');
    const blank = await run({ boardOverrides: { boot0: true }, flashState: path, timeoutMs: 5 });
    expect(blank.result.reason === 'halt' || blank.result.reason === 'timeout').toBe(true);
    expect(readFileSync(path).every((b) => b === 0xff)).toBe(true);
    // Without --boot0 the same image runs from flash.
    const normal = await run({ images: [{ path: HELLO_ELF }] });
    expect(normal.stdout).toContain('hello from the STM32F411');
  });

  it('--hse sets the crystal the RCC starts (HSE ready after its start-up time)', () => {
    const spec = applyBoardOverrides('NUCLEO_F411RE', { hseHz: 12_000_000 });
    expect(spec.options!.hseHz).toBe(12_000_000);
    const m = new Machine({ board: spec });
    m.bus.write32(0x4002_3800, m.bus.read32(0x4002_3800) | (1 << 16)); // RCC_CR.HSEON
    m.cpu.cycles += 16_000 * 3; // 3 ms at 16 MHz: past the start-up time
    m.scheduler.runDue();
    expect(m.bus.read32(0x4002_3800) & (1 << 17)).not.toBe(0); // HSERDY
    m.bus.write32(0x4002_3808, 1); // RCC_CFGR.SW = HSE
    expect(m.hz).toBe(12_000_000);
    expect(() => applyBoardOverrides('mps2-an386', { hseHz: 8e6 })).toThrow('--hse: board mps2-an386 (mps2-an386) has no such option');
    expect(() => applyBoardOverrides('NUCLEO_F411RE', { hseHz: 80e6 })).toThrow(/not an HSE frequency/);
    expect(() => applyBoardOverrides('NUCLEO_F411RE', { spiFlash: 'w25q64' })).toThrow('--spi-flash: board NUCLEO_F411RE has no SPI flash footprint');
  });

  it('--button presses B1 (PC13) at the given virtual times; --vcd records it as valid VCD', async () => {
    const dir = tmp();
    const vcdPath = join(dir, 'out.vcd');
    const r = await run({
      images: [{ path: BOOT_STATE }],
      buttons: [parseButtonSpec('B1=pressed@10ms,released@30.5ms')],
      vcd: vcdPath,
    });
    expect(r.result.reason).toBe('exit');
    const vcd = parseVcd(readFileSync(vcdPath, 'utf8'));
    expect(vcd.timescale).toBe('1 ns');
    const pc13 = vcd.vars.get('NUCLEO_F411RE.GPIOC.PC13')!;
    expect(vcd.vars.get('NUCLEO_F411RE.buttons.B1')).toBe(pc13); // alias shares the identifier
    // B1 has an external pull-up: high from the start, low while pressed.
    expect(vcd.changes.filter((c) => c.id === pc13)).toEqual([
      { t: 0, id: pc13, v: '1' },
      { t: 10_000_000, id: pc13, v: '0' },
      { t: 30_500_000, id: pc13, v: '1' },
    ]);
    // The run ended after the program's 100 ms wait.
    expect(vcd.end).toBeGreaterThan(100_000_000);
    expect(vcd.vars.size).toBe(6 * 16 + 2);
  });

  const hasGtkwave = spawnSync('vcd2fst', ['--help']).error === undefined && spawnSync('fst2vcd', ['--help']).error === undefined;
  it.skipIf(!hasGtkwave)(`GTKWave reads the VCD: vcd2fst then fst2vcd give the same PC13 changes${hasGtkwave ? '' : ' (skipped: gtkwave not installed)'}`, async () => {
    const dir = tmp();
    const vcdPath = join(dir, 'out.vcd');
    await run({ images: [{ path: BOOT_STATE }], buttons: [parseButtonSpec('B1=pressed@10ms,released@30.5ms')], vcd: vcdPath });
    const conv = spawnSync('vcd2fst', [vcdPath, join(dir, 'out.fst')], { encoding: 'utf8' });
    expect(conv.status).toBe(0);
    const back = spawnSync('fst2vcd', [join(dir, 'out.fst')], { encoding: 'utf8' });
    expect(back.status).toBe(0);
    const ours = parseVcd(readFileSync(vcdPath, 'utf8'));
    const theirs = parseVcd(back.stdout.replace(/\$comment[\s\S]*?\$end/g, ''));
    const pc13 = (v: ReturnType<typeof parseVcd>) => v.changes.filter((c) => c.id === v.vars.get('NUCLEO_F411RE.GPIOC.PC13')).map(({ t, v: x }) => [t, x]);
    expect(pc13(theirs)).toEqual(pc13(ours));
    expect(theirs.vars.size).toBeGreaterThanOrEqual(6 * 16);
  });

  it('pin changes, button actions and the NRST reset are logged at info with virtual timestamps', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(s) });
    await run({ images: [{ path: BOOT_STATE }], buttons: [parseButtonSpec('B1=pressed@10ms')], resetAfterMs: 50, log });
    const msgs = lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
    expect(msgs).toContain('button B1 pressed at 10.000 ms');
    expect(msgs).toContain('PC13 0 at 10.000 ms');
    expect(msgs).toContain('reset (NRST) at 50.000 ms');
  });

  it('--reset-after resets like NRST: PINRSTF, SRAM kept, peripherals reset', async () => {
    const path = join(tmp(), 'state.bin');
    const r = await run({ images: [{ path: BOOT_STATE }], resetAfterMs: 50, flashState: path });
    expect(r.stdout).toContain('boot record 1 in flash');
    expect(r.stdout).toContain('boot record 2 in flash');
    expect(r.stdout).toContain('after reset: SRAM kept');
    expect(r.stdout).toContain('ok reset pin: RCC_CSR = PINRSTF');
    expect(r.stdout).not.toContain('FAIL');
    expect(r.result.exitCode).toBe(0);
    expect((r.machine.soc as Stm32f411Instance).rcc.regs.get('CSR') >>> 24).toBe(0x04);
  });

  it('parses button specs and durations', () => {
    expect(parseButtonSpec('KEY=pressed@100ms,released@300ms')).toEqual({
      name: 'KEY',
      actions: [
        { pressed: true, seconds: 0.1 },
        { pressed: false, seconds: 0.3 },
      ],
    });
    expect(parseDuration('250us', 'x')).toBeCloseTo(250e-6, 12);
    expect(parseDuration('2', 'x')).toBe(0.002);
    expect(() => parseButtonSpec('KEY=released@300ms,pressed@100ms')).toThrow('times must not go backwards');
    expect(() => parseButtonSpec('KEY')).toThrow('expected NAME=pressed@TIME');
  });

  it('VCD identifier codes use printable ASCII 33..126', () => {
    expect(vcdId(0)).toBe('!');
    expect(vcdId(93)).toBe('~');
    expect(vcdId(94)).toBe('!"');
    const ids = new Set(Array.from({ length: 10_000 }, (_, i) => vcdId(i)));
    expect(ids.size).toBe(10_000);
  });
});

/**
 * A strict reader for the VCD subset IEEE 1364-2005 §18.2 defines for scalar wires: declaration commands
 * each closed by $end, scopes balanced, $enddefinitions, then #time records strictly increasing and
 * value changes (0/1/x/z + identifier) only for declared identifiers.
 */
function parseVcd(text: string) {
  const tokens = text.split(/\s+/).filter(Boolean);
  let i = 0;
  const vars = new Map<string, string>();
  const ids = new Set<string>();
  const scope: string[] = [];
  let timescale = '';
  const until$end = () => {
    const out: string[] = [];
    while (tokens[i] !== '$end') {
      if (i >= tokens.length) throw new Error('missing $end');
      out.push(tokens[i++]!);
    }
    i++;
    return out;
  };
  for (;;) {
    const t = tokens[i++];
    if (t === undefined) throw new Error('no $enddefinitions');
    if (t === '$enddefinitions') {
      until$end();
      break;
    }
    if (t === '$scope') {
      const [kind, name] = until$end();
      expect(['module', 'task', 'function', 'begin', 'fork']).toContain(kind);
      scope.push(name!);
    } else if (t === '$upscope') {
      until$end();
      expect(scope.pop()).toBeDefined();
    } else if (t === '$var') {
      const [type, size, id, ref] = until$end();
      expect(type).toBe('wire');
      expect(size).toBe('1');
      expect(id).toMatch(/^[!-~]+$/);
      vars.set([...scope, ref].join('.'), id!);
      ids.add(id!);
    } else if (t === '$timescale') timescale = until$end().join(' ');
    else if (t === '$date' || t === '$version' || t === '$comment') until$end();
    else throw new Error(`unexpected ${t} in the header`);
  }
  expect(scope).toEqual([]);
  const changes: { t: number; id: string; v: string }[] = [];
  let now = -1;
  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.startsWith('#')) {
      const n = Number(t.slice(1));
      expect(Number.isInteger(n)).toBe(true);
      expect(n).toBeGreaterThan(now);
      now = n;
    } else if (t === '$dumpvars' || t === '$end') {
      expect(now).toBeGreaterThanOrEqual(0);
    } else {
      expect(now).toBeGreaterThanOrEqual(0);
      expect(t).toMatch(/^[01xz][!-~]+$/);
      const id = t.slice(1);
      expect(ids.has(id)).toBe(true);
      changes.push({ t: now, id, v: t[0]! });
    }
  }
  return { vars, changes, timescale, end: now };
}

// ---- bad input: one line, exit 2, state file untouched -------------------------------------------

/** A state file with random content; returns a check that it is byte-for-byte the same later. */
function stateFile(dir: string): { path: string; unchanged(): void } {
  const path = join(dir, 'state.bin');
  const bytes = Buffer.alloc(512 * KiB);
  for (let i = 0; i < bytes.length; i += 4) bytes.writeUInt32LE((Math.imul(i, 2654435761) ^ 0x5a5a5a5a) >>> 0, i);
  writeFileSync(path, bytes);
  const before = readFileSync(path);
  return {
    path,
    unchanged() {
      expect(Buffer.compare(readFileSync(path), before)).toBe(0);
      expect(readdirSync(dir).filter((n) => n.includes('emboard-tmp'))).toEqual([]);
    },
  };
}

/** A 32-bit ARM ELF with one PT_LOAD of `data` at `addr`. */
function elfWithSegment(addr: number, data: Uint8Array): Buffer {
  const b = Buffer.alloc(52 + 32 + data.length);
  b.set([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1], 0);
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(40, 18); // EM_ARM
  b.writeUInt32LE(1, 20);
  b.writeUInt32LE(addr | 1, 24);
  b.writeUInt32LE(52, 28); // phoff
  b.writeUInt16LE(52, 40);
  b.writeUInt16LE(32, 42);
  b.writeUInt16LE(1, 44);
  b.writeUInt32LE(1, 52); // PT_LOAD
  b.writeUInt32LE(84, 56);
  b.writeUInt32LE(addr, 60);
  b.writeUInt32LE(addr, 64);
  b.writeUInt32LE(data.length, 68);
  b.writeUInt32LE(data.length, 72);
  b.set(data, 84);
  return b;
}

describe('run: bad input leaves the --flash state file untouched (one line, exit 2)', () => {
  const dir = tmp();
  const files = {
    big: join(dir, 'big.bin'),
    small: join(dir, 'small.bin'),
    empty: join(dir, 'empty.bin'),
    farElf: join(dir, 'far.elf'),
    sramEdgeElf: join(dir, 'edge.elf'),
    badHex: join(dir, 'bad.hex'),
  };
  writeFileSync(files.big, Buffer.alloc(600 * KiB, 0x11));
  writeFileSync(files.small, Buffer.alloc(256, 0x22));
  writeFileSync(files.empty, Buffer.alloc(0));
  writeFileSync(files.farElf, elfWithSegment(0x6000_0000, new Uint8Array(64)));
  writeFileSync(files.sramEdgeElf, elfWithSegment(0x2001_ff00, new Uint8Array(0x200)));
  writeFileSync(files.badHex, ':0400000001020304F1\n:00000001FF\n'); // checksum should be F2

  const cases: [string, string[], RegExp][] = [
    ['image larger than flash', [files.big], /big\.bin: 614400 bytes at 0x08000000 do not fit in flash \(ends at 0x0807ffff, 512 KiB\)/],
    ['raw binary with --base in SRAM', ['--base', '0x20000000', files.small], /small\.bin: raw binary at 0x20000000 is outside flash \(0x08000000\.\.0x0807ffff\)/],
    ['raw binary @ADDR past the end of flash', [`${files.small}@0x0807ff80`], /small\.bin: 256 bytes at 0x0807ff80 do not fit in flash/],
    ['raw binary @ADDR unmapped', [`${files.small}@0x30000000`], /small\.bin: raw binary at 0x30000000 is outside flash/],
    ['ELF segment outside memory', [files.farElf], /far\.elf: segment at 0x60000000 \(64 bytes\) is outside the memory of board NUCLEO_F411RE/],
    ['ELF segment running past the end of SRAM', [files.sramEdgeElf], /edge\.elf: segment at 0x2001ff00 \(512 bytes\) runs past the end of sram at 0x2001ffff/],
    ['@ADDR on an ELF', [`${HELLO_ELF}@0x08000000`], /hello\.elf@0x08000000: only raw binaries take @ADDR \(this elf file carries its own addresses\)/],
    ['bad @ADDR', [`${files.small}@0x08g00000`], /small\.bin@0x08g00000: bad load address '@0x08g00000'/],
    ['overlapping images', [`${files.small}@0x08000000`, `${files.small}@0x08000080`], /small\.bin: 0x08000080\.\.0x0800017f overlaps .*small\.bin \(0x08000000\.\.0x080000ff\)/],
    ['missing firmware file', [join(dir, 'nope.elf')], /nope\.elf: cannot read firmware file \(ENOENT\)/],
    ['empty raw binary', [files.empty], /empty\.bin: empty file/],
    ['Intel HEX with a bad checksum', [files.badHex], /bad\.hex: .*checksum/i],
    ['unknown button', ['--button', 'KEY=pressed@10ms', HELLO_ELF], /--button: board NUCLEO_F411RE has no button 'KEY' \(buttons: B1\)/],
    ['bad button action', ['--button', 'B1=pushed@10ms', HELLO_ELF], /--button B1: expected pressed@TIME or released@TIME, got 'pushed@10ms'/],
    ['bad button time', ['--button', 'B1=pressed@soon', HELLO_ELF], /--button B1: bad time 'soon'/],
    ['bad --hse', ['--hse', 'fast', HELLO_ELF], /--hse expects a frequency such as 8000000 or 25MHz, got 'fast'/],
    ['--hse out of range', ['--hse', '80MHz', HELLO_ELF], /--hse: 80000000 Hz is not an HSE frequency/],
    ['--spi-flash on a board without the footprint', ['--spi-flash', 'w25q64', HELLO_ELF], /--spi-flash: board NUCLEO_F411RE has no SPI flash footprint/],
    ['unknown --spi-flash chip', ['--spi-flash', 'w25q999', HELLO_ELF], /argument 'w25q999' is invalid.*w25q16, w25q32, w25q64, w25q128/],
    ['unknown option', ['--frobnicate', HELLO_ELF], /unknown option '--frobnicate'/],
    ['bad --reset-after', ['--reset-after', '-5', HELLO_ELF], /--reset-after expects a non-negative number|unknown option '-5'/],
    ['--vcd into a missing folder', ['--vcd', join(dir, 'no/such/dir/out.vcd'), HELLO_ELF], /--vcd .*out\.vcd: cannot create file \(ENOENT\)/],
    ['--demo on a board without one', ['--demo'], /board NUCLEO_F411RE has no built-in demo firmware/],
  ];

  for (const [what, args, message] of cases) {
    it(what, async () => {
      const s = stateFile(tmp());
      const r = await cliInProcess(['run', '-b', 'NUCLEO_F411RE', '--flash', s.path, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trimEnd().split('\n').filter((l) => !l.startsWith('(add --help')).length).toBe(1);
      expect(r.stdout).toBe('');
      s.unchanged();
    });
  }

  it('unknown board', async () => {
    const s = stateFile(tmp());
    const r = await cliInProcess(['run', '-b', 'NUCLEO_F999', '--flash', s.path, HELLO_ELF]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^emboard: unknown board 'NUCLEO_F999' \(known: .*NUCLEO_F411RE.*\)\n$/);
    s.unchanged();
  });

  it('a state file of the wrong size (another board, a truncated file)', async () => {
    const d = tmp();
    const path = join(d, 'state.bin');
    writeFileSync(path, Buffer.alloc(1000, 0x33));
    const r = await cliInProcess(['run', '-b', 'NUCLEO_F411RE', '--flash', path, HELLO_ELF]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`emboard: ${path}: flash state file is 1000 bytes but this board's flash is 524288 bytes (another board's file?)\n`);
    expect(Buffer.compare(readFileSync(path), Buffer.alloc(1000, 0x33))).toBe(0);
  });

  it('--flash on a board without persistent flash; --boot0 on a board without BOOT0', async () => {
    const s = stateFile(tmp());
    const a = await cliInProcess(['run', '-b', 'mps2-an386', '--flash', s.path, '--demo']);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/has no persistent flash to keep/);
    const b = await cliInProcess(['run', '-b', 'mps2-an386', '--boot0', '--demo']);
    expect(b.code).toBe(2);
    expect(b.stderr).toBe('emboard: --boot0: board mps2-an386 (mps2-an386) has no such option\n');
    s.unchanged();
  });

  it('a bad image does not create a missing state file', async () => {
    const d = tmp();
    const path = join(d, 'state.bin');
    const r = await cliInProcess(['run', '-b', 'NUCLEO_F411RE', '--flash', path, files.big]);
    expect(r.code).toBe(2);
    expect(readdirSync(d)).toEqual([]);
  });
});

describe('emboard run in a child process', () => {
  const hasSignals = process.platform !== 'win32';
  it.skipIf(!hasSignals)('SIGTERM mid-run stops cleanly and saves the flash written so far; SIGKILL never tears the file', async () => {
    const d = tmp();
    const path = join(d, 'state.bin');
    // boot_state waits 100 ms of virtual time; --realtime makes that 100 ms of wall time too.
    const args = ['--import', 'tsx', CLI, 'run', '-b', 'NUCLEO_F411RE', '--semihosting', '--realtime', '--flash', path, BOOT_STATE];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        if (out.includes('GPIOA_MODER changed')) child.kill('SIGTERM');
      });
      child.on('exit', () => resolve());
    });
    expect(out).toContain('boot record 1 in flash');
    const data = readFileSync(path);
    expect(data.length).toBe(512 * KiB);
    expect(data.readUInt32LE(0x20000)).toBe(0xb0070001);
    // SIGKILL at an arbitrary point: the file is one of the complete versions.
    const k = spawn(process.execPath, [...args.slice(0, -1)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve) => {
      k.stdout.on('data', (b: Buffer) => {
        if (b.toString().includes('boot record')) k.kill('SIGKILL');
      });
      k.on('exit', () => resolve());
    });
    const after = readFileSync(path);
    expect(after.length).toBe(512 * KiB);
    expect([0xffffffff, 0xb0070002]).toContain(after.readUInt32LE(0x20004));
  }, 60_000);

  it('exit code 2 and one line for a bad image from the real CLI', () => {
    const d = tmp();
    const big = join(d, 'big.bin');
    writeFileSync(big, Buffer.alloc(513 * KiB));
    const r = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'run', '-b', 'WeAct_F411CE', big], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`emboard: ${big}: 525312 bytes at 0x08000000 do not fit in flash (ends at 0x0807ffff, 512 KiB)\n`);
  });
});
