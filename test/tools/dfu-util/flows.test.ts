/**
 * `emboard dfu-util` end to end against the board's bootloader model and a --flash state file: the
 * user's flows from the issue (raw download with :leave, .dfu download, zero-file erase, upload, mass
 * erase) with dfu-util 0.11's exact output, and malformed inputs, each a one-line error with dfu-util's
 * exit code and the state file byte-for-byte unchanged.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dfuCrc } from '../../../src/image/crc32.js';
import { addDfuSuffix, buildDfuSe } from '../../../src/image/dfuse.js';
import { afterBanner, dfu, tempDir } from './helpers.js';

const HELLO = new Uint8Array(readFileSync(join(import.meta.dirname, '../../firmware/f411/bin/hello.bin')));
const FLASH = 512 * 1024;
const dir = tempDir();

function stateWith(name: string, fill: (b: Uint8Array) => void): string {
  const b = new Uint8Array(FLASH).fill(0xff);
  fill(b);
  const p = join(dir, name);
  writeFileSync(p, b);
  return p;
}

const bar = (desc: string, n: number) => `\r${desc}\t[                         ]   0%            0 bytes\r${desc}\t[=========================] 100% ${String(n).padStart(12)} bytes\n${desc} done.\n`;

describe('emboard dfu-util: the flows of issue 5', () => {
  it('dfu-util -a 0 -s 0x08000000:leave -D hello.bin: dfu-util 0.11 output line for line, flash programmed, device left', () => {
    const bin = join(dir, 'hello.bin');
    writeFileSync(bin, HELLO);
    const state = join(dir, 'leave.bin');
    const r = dfu(['-a', '0', '-s', '0x08000000:leave', '-D', bin, '--board', 'NUCLEO_F411RE', '--flash', state]);
    expect(r.code).toBe(0);
    expect(r.err).toBe('dfu-util: Warning: Invalid DFU suffix signature\ndfu-util: A valid DFU suffix will be required in a future dfu-util release\n');
    expect(afterBanner(r.out)).toBe(
      [
        'Opening DFU capable USB device...',
        'Device ID 0483:df11',
        'Device DFU version 011a',
        'Claiming USB DFU Interface...',
        'Setting Alternate Interface #0 ...',
        'Determining device status...',
        'DFU state(2) = dfuIDLE, status(0) = No error condition is present',
        'DFU mode device DFU version 011a',
        'Device returned transfer size 2048',
        'DfuSe interface name: "Internal Flash  "',
        `Downloading element to address = 0x08000000, size = ${HELLO.length}`,
        '',
      ].join('\n') +
        bar('Erase   ', HELLO.length) +
        bar('Download', HELLO.length) +
        ['File downloaded successfully', 'Submitting leave request...', 'Transitioning to dfuMANIFEST state', ''].join('\n'),
    );
    const flash = readFileSync(state);
    expect(flash.length).toBe(FLASH);
    expect(Buffer.compare(flash.subarray(0, HELLO.length), Buffer.from(HELLO))).toBe(0);
    expect(flash.subarray(HELLO.length).every((b) => b === 0xff)).toBe(true);
    expect(r.bus.leftTo).toBe(0x08000000);
    expect(r.pollMs).toBe(250 + Math.ceil((HELLO.length / 4) * 0.016)); // one 16 KiB sector erase (250 ms) + one 1824-byte write
  });

  it('a 2-element .dfu file without -a: every alt setting\'s map parsed, the target selects alt 0, each element erased and written', () => {
    const data2 = Uint8Array.from({ length: 5000 }, (_, i) => i & 0xff);
    const file = join(dir, 'fw.dfu');
    writeFileSync(file, buildDfuSe([{ alt: 0, name: 'ST...', elements: [{ address: 0x08000000, data: HELLO }, { address: 0x08020000, data: data2 }] }], { vid: 0x0483, pid: 0xdf11, device: 0xffff }));
    const state = join(dir, 'dfu.bin');
    const r = dfu(['-d', '0483:df11', '-D', file, '--flash', state]);
    expect(r.code).toBe(0);
    // "01*004 e": a space where the size multiplier goes, which dfu-util warns about (once per such segment)
    expect(r.err).toBe("dfu-util: Non-valid multiplier ' ', assuming bytes\n".repeat(4));
    const lines = afterBanner(r.out).split('\n');
    expect(lines.slice(0, 22)).toEqual([
      'Multiple alternate interfaces for DfuSe file',
      'Opening DFU capable USB device...',
      'Device ID 0483:df11',
      'Device DFU version 011a',
      'Claiming USB DFU Interface...',
      'Setting Alternate Interface #3 ...',
      'Determining device status...',
      'DFU state(2) = dfuIDLE, status(0) = No error condition is present',
      'DFU mode device DFU version 011a',
      'Device returned transfer size 2048',
      'DfuSe interface name: "Device Feature"',
      'DfuSe interface name: "OTP Memory "',
      'DfuSe interface name: "Option Bytes  "',
      'DfuSe interface name: "Internal Flash  "',
      'File contains 1 DFU images',
      'Parsing DFU image 1',
      'Target name: ST...',
      `Image for alternate setting 0, (2 elements, total size = ${8 + HELLO.length + 8 + 5000})`,
      'Setting Alternate Interface #0 ...',
      `Parsing element 1, address = 0x08000000, size = ${HELLO.length}`,
      '\rErase   \t[                         ]   0%            0 bytes\rErase   \t[=========================] 100%         1824 bytes',
      'Erase    done.',
    ]);
    expect(r.out).toContain('Parsing element 2, address = 0x08020000, size = 5000\n');
    expect(r.out.endsWith('Download done.\nDone parsing DfuSe file\n')).toBe(true);
    const flash = readFileSync(state);
    expect(Buffer.compare(flash.subarray(0, HELLO.length), Buffer.from(HELLO))).toBe(0);
    expect(Buffer.compare(flash.subarray(0x20000, 0x20000 + 5000), Buffer.from(data2))).toBe(0);
    expect(r.pollMs).toBeGreaterThanOrEqual(250 + 1000); // sector 0 (16 KiB) and sector 5 (128 KiB) erases
  });

  it('zero-file erase at 0x0801f000: the bytes become zero (programmed), the rest of the 64 KiB sector is erased', () => {
    const state = stateWith('zero.bin', (b) => b.fill(0x5a, 0x8000, 0x30000));
    const zeros = join(dir, 'zeroes');
    writeFileSync(zeros, new Uint8Array(4096));
    const r = dfu(['-a', '0', '-s', '0x0801f000', '-D', zeros, '--flash', state]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Downloading element to address = 0x0801f000, size = 4096\n');
    const f = readFileSync(state);
    expect(f.subarray(0x1f000, 0x20000).every((x) => x === 0)).toBe(true);
    expect(f.subarray(0x10000, 0x1f000).every((x) => x === 0xff)).toBe(true); // sector 4 erased by dfu-util's page erase
    expect(f.subarray(0x8000, 0x10000).every((x) => x === 0x5a)).toBe(true); // sectors 2-3 untouched
    expect(f.subarray(0x20000, 0x30000).every((x) => x === 0x5a)).toBe(true); // sector 5 untouched
  });

  it('-U reads back identically (explicit length), and without one stops at the end of the memory segment', () => {
    const state = stateWith('up.bin', (b) => {
      for (let i = 0; i < b.length; i++) b[i] = (i * 7 + (i >>> 11)) & 0xff;
    });
    const out = join(dir, 'readback.bin');
    const r = dfu(['-a', '0', '-s', '0x08000000:524288', '-U', out, '--flash', state]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(afterBanner(r.out)).toContain('DfuSe interface name: "Internal Flash  "\n\rUpload\t[                         ]   0%            0 bytes');
    expect(r.out.endsWith('\rUpload\t[=========================] 100%       524288 bytes\nUpload done.\n')).toBe(true);
    expect(Buffer.compare(readFileSync(out), readFileSync(state))).toBe(0);
    const out2 = join(dir, 'seg.bin');
    const r2 = dfu(['-a', '0', '-s', '0x08004000', '-U', out2, '--flash', state]);
    expect(r2.out).toContain('Limiting upload to end of memory segment, 49152 bytes\n');
    expect(Buffer.compare(readFileSync(out2), readFileSync(state).subarray(0x4000, 0x10000))).toBe(0);
  });

  it('mass erase: -s :mass-erase:force alone erases everything; with -D it replaces the erase pass', () => {
    const state = stateWith('mass.bin', (b) => b.fill(0x11));
    const r = dfu(['-a', '0', '-s', ':mass-erase:force', '--flash', state]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Performing mass erase, this can take a moment\n');
    expect(readFileSync(state).every((x) => x === 0xff)).toBe(true);
    expect(r.pollMs).toBe(4000);
    const bin = join(dir, 'h2.bin');
    writeFileSync(bin, HELLO);
    writeFileSync(state, new Uint8Array(FLASH).fill(0x22));
    const r2 = dfu(['-a', '0', '-s', '0x08000000:mass-erase:force', '-D', bin, '--flash', state]);
    expect(r2.code).toBe(0);
    // dfu-util 0.11 still draws the erase bar, but sends no page erase after the mass erase
    expect(r2.out).toContain('Erase    done.\n');
    expect(r2.pollMs).toBe(4000 + Math.ceil((HELLO.length / 4) * 0.016));
    const f = readFileSync(state);
    expect(Buffer.compare(f.subarray(0, HELLO.length), Buffer.from(HELLO))).toBe(0);
    expect(f.subarray(HELLO.length).every((x) => x === 0xff)).toBe(true);
  });

  it('-D - reads the image from standard input', () => {
    const state = join(dir, 'stdin.bin');
    const r = dfu(['-v', '-a', '0', '-s', '0x08004000', '-D', '-', '--flash', state], HELLO);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`Read ${HELLO.length} bytes from stdin\n`);
    expect(Buffer.compare(readFileSync(state).subarray(0x4000, 0x4000 + HELLO.length), Buffer.from(HELLO))).toBe(0);
  });

  it('-R after :leave: the device is gone, so "can\'t detach", then the USB reset line, exit 0', () => {
    const bin = join(dir, 'h3.bin');
    writeFileSync(bin, HELLO);
    const r = dfu(['-a', '0', '-s', '0x08000000:leave', '-R', '-D', bin]);
    expect(r.code).toBe(0);
    expect(r.err).toContain("dfu-util: can't detach\n");
    expect(r.out.endsWith('Transitioning to dfuMANIFEST state\nResetting USB to switch back to Run-Time mode\n')).toBe(true);
  });

  it('-l lists the four alt settings, highest first, as dfu-util 0.11 shows the F411', () => {
    const r = dfu(['-l', '--board', 'NUCLEO_F411RE']);
    expect(r.code).toBe(0);
    const found = afterBanner(r.out).trim().split('\n');
    expect(found).toHaveLength(4);
    expect(found[3]).toMatch(/^Found DFU: \[0483:df11\] ver=2200, devnum=2, cfg=1, intf=0, path="1-1", alt=0, name="@Internal Flash {2}\/0x08000000\/04\*016Kg,01\*064Kg,03\*128Kg", serial="[0-9A-F]{12}"$/);
    expect(found.map((l) => /alt=(\d)/.exec(l)![1])).toEqual(['3', '2', '1', '0']);
    expect(dfu(['-l', '-a', '@Option Bytes  /0x1FFFC000/01*016 e']).out).toContain('alt=1, name="@Option Bytes  /0x1FFFC000/01*016 e"');
    expect(afterBanner(dfu(['-l', '-d', ',1234:5678']).out)).toBe(''); // DFU-mode IDs after the comma
    expect(afterBanner(dfu(['-l', '-d', '1234:5678']).out)).not.toBe(''); // run-time IDs do not filter a DFU-mode device
  });
});

describe('emboard dfu-util: malformed inputs (one-line error, dfu-util exit code, state file unchanged)', () => {
  const pattern = (b: Uint8Array) => {
    for (let i = 0; i < b.length; i++) b[i] = (i ^ (i >>> 9)) & 0xff;
  };
  const good = buildDfuSe([{ alt: 0, name: 'ST...', elements: [{ address: 0x08000000, data: HELLO }] }], { vid: 0x0483, pid: 0xdf11, device: 0xffff });
  const resuffix = (body: Uint8Array, vid = 0x0483, pid = 0xdf11, bcdDfu = 0x011a) => addDfuSuffix(body, { vid, pid, device: 0xffff, bcdDfu });
  const body = good.subarray(0, good.length - 16);
  const withTarget = (mut: (b: Uint8Array) => void) => {
    const b = body.slice();
    mut(b);
    return resuffix(b);
  };
  const file = (name: string, data: Uint8Array) => {
    const p = join(dir, name);
    writeFileSync(p, data);
    return p;
  };
  /** A plain-DFU suffix whose bLength says 8, with a CRC that matches (so dfu-util trusts the suffix). */
  const shortSuffix = () => {
    const f = resuffix(new Uint8Array(32), 0x0483, 0xdf11, 0x0100);
    f[f.length - 5] = 8;
    new DataView(f.buffer).setUint32(f.length - 4, dfuCrc(f.subarray(0, f.length - 4)), true);
    return f;
  };
  type Case = [name: string, args: () => string[], code: number, lastLine: RegExp | string];
  const raw = () => file('raw16.bin', new Uint8Array(16).fill(1));
  const cases: Case[] = [
    ['missing file', () => ['-a', '0', '-s', '0x08000000', '-D', join(dir, 'nope.bin')], 66, `dfu-util: Could not open file ${join(dir, 'nope.bin')} for reading: No such file or directory`],
    ['directory as file', () => ['-a', '0', '-s', '0x08000000', '-D', dir], 70, 'dfu-util: Cannot allocate memory of size -1 bytes'],
    ['zero-length file', () => ['-a', '0', '-s', '0x08000000', '-D', file('empty.bin', new Uint8Array(0))], 64, 'dfu-util: Last page at 0x07ffffff is not writeable'],
    ['address past the flash', () => ['-a', '0', '-s', '0x08080000', '-D', raw()], 64, 'dfu-util: Last page at 0x0808000f is not writeable'],
    ['element straddling the flash end', () => ['-a', '0', '-s', '0x0807fff8', '-D', raw()], 64, 'dfu-util: Last page at 0x08080007 is not writeable'],
    ['address below the flash', () => ['-a', '0', '-s', '0x07fffff8', '-D', raw()], 64, 'dfu-util: Page at 0x07fffff8 is not writeable'],
    ['address in RAM (not in the alt 0 map)', () => ['-a', '0', '-s', '0x20000000', '-D', raw()], 64, 'dfu-util: Last page at 0x2000000f is not writeable'],
    ['write-protected sector 0', () => ['-a', '0', '-s', '0x08000000', '-D', raw(), '--protect-sectors', '0'], 74, 'dfu-util: ERASE_PAGE not correctly executed'],
    ['write-protected sector 5 inside a larger image', () => ['-a', '0', '-s', '0x08020000', '-D', raw(), '--protect-sectors', '5,6'], 74, 'dfu-util: ERASE_PAGE not correctly executed'],
    ['mass erase with a protected sector', () => ['-a', '0', '-s', ':mass-erase:force', '--protect-sectors', '7'], 74, 'dfu-util: MASS_ERASE not correctly executed'],
    ['mass erase without force', () => ['-a', '0', '-s', ':mass-erase'], 64, 'dfu-util: The mass erase command can only be used with force'],
    ['unprotect without force', () => ['-a', '0', '-s', ':unprotect'], 64, /^dfu-util: The read unprotect command will erase the flash memoryand can only be used with force$/],
    ['invalid DfuSe address', () => ['-a', '0', '-s', 'zz', '-D', raw()], 64, 'dfu-util: Invalid dfuse address: zz'],
    ['invalid DfuSe modifier', () => ['-a', '0', '-s', '0x08000000:bogus', '-D', raw()], 64, 'dfu-util: Invalid dfuse modifier: bogus'],
    ['raw file without -s', () => ['-a', '0', '-D', raw()], 64, 'dfu-util: (for raw binary download, use the --dfuse-address option)'],
    ['DfuSe file with -s', () => ['-a', '0', '-s', '0x08000000', '-D', file('g.dfu', good)], 64, 'dfu-util: This is a DfuSe file, not meant for raw download'],
    ['CRC-broken DfuSe file', () => ['-a', '0', '-D', file('crc.dfu', Uint8Array.from(good, (x, i) => (i === 300 ? x ^ 1 : x)))], 64, 'dfu-util: (for raw binary download, use the --dfuse-address option)'],
    ['truncated DfuSe file (re-suffixed)', () => ['-a', '0', '-D', file('trunc.dfu', resuffix(body.subarray(0, 600)))], 65, 'dfu-util: File too small for element size'],
    ['DfuSe file shorter than prefix + target + element header', () => ['-a', '0', '-D', file('trunc2.dfu', resuffix(body.subarray(0, 292)))], 65, 'dfu-util: File too small for a DfuSe file'],
    ['DfuSe prefix only 5 bytes', () => ['-a', '0', '-D', file('trunc3.dfu', resuffix(body.subarray(0, 5)))], 65, 'dfu-util: File too small for a DfuSe file'],
    ['bad DfuSe signature', () => ['-a', '0', '-D', file('sig.dfu', withTarget((b) => (b[0] = 0x64)))], 65, 'dfu-util: No valid DfuSe signature'],
    ['DfuSe format revision 2', () => ['-a', '0', '-D', file('rev.dfu', withTarget((b) => (b[5] = 2)))], 65, 'dfu-util: DFU format revision 2 not supported'],
    ['bad target signature', () => ['-a', '0', '-D', file('tgt.dfu', withTarget((b) => (b[11] = 0x74)))], 65, 'dfu-util: No valid target signature'],
    ['element outside the flash', () => ['-a', '0', '-D', file('out.dfu', buildDfuSe([{ alt: 0, elements: [{ address: 0x08100000, data: HELLO }] }], { vid: 0x0483, pid: 0xdf11, device: 0xffff }))], 64, /^dfu-util: Last page at 0x081007[0-9a-f]{2} is not writeable$/],
    ['wrong VID/PID in the suffix with -d', () => ['-d', '0483:df11', '-a', '0', '-D', file('vid2.dfu', resuffix(body, 0x1234, 0x5678))], 64, 'dfu-util: Error: File ID 1234:5678 does not match device (0483:df11 or 0483:df11)'],
    ['suffix length below 16', () => ['-a', '0', '-s', '0x08000000', '-D', file('len.bin', shortSuffix())], 74, 'dfu-util: Unsupported DFU suffix length 8'],
    ['raw download without -a (four alt settings match)', () => ['-s', '0x08000000', '-D', raw()], 74, "dfu-util: More than one DFU capable USB device found! Try `--list' and specify the serial number or disconnect all but one device"],
    ['no such alt setting', () => ['-a', '7', '-s', '0x08000000', '-D', raw()], 74, 'dfu-util: No DFU capable USB device available'],
    ['wrong serial', () => ['-a', '0', '-S', 'NOPE', '-s', '0x08000000', '-D', raw()], 74, 'dfu-util: No DFU capable USB device available'],
    ['upload to an existing file', () => ['-a', '0', '-s', '0x08000000', '-U', raw()], 73, /^dfu-util: Cannot open file .*raw16\.bin for writing: File exists$/],
    ['upload from an unreadable address', () => ['-a', '0', '-s', '0x09000000', '-U', join(dir, 'never.bin')], 64, 'dfu-util: Page at 0x09000000 is not readable'],
    ['unknown option', () => ['--bogus'], 64, /^\t\t<length>\tLength of firmware to upload from device$/],
    ['bad number', () => ['-t', 'abc', '-l'], 64, 'dfu-util: Something went wrong with the argument of --transfer-size'],
    ['no -D or -U', () => ['-a', '0'], 64, /Length of firmware to upload from device$/],
  ];
  it.each(cases)('%s', (_name, args, code, last) => {
    const state = stateWith('m.bin', pattern);
    const before = readFileSync(state);
    const r = dfu([...args(), '--flash', state]);
    expect(r.code).toBe(code);
    const lines = r.err.trimEnd().split('\n');
    if (typeof last === 'string') expect(lines.at(-1)).toBe(last);
    else expect(lines.at(-1)).toMatch(last);
    expect(Buffer.compare(readFileSync(state), before)).toBe(0);
  });

  it('a .dfu for another VID/PID: without -d dfu-util 0.11 only uses its IDs as run-time IDs and downloads it', () => {
    const state = stateWith('vid.bin', pattern);
    const r = dfu(['-a', '0', '-D', file('vid.dfu', resuffix(body, 0x1234, 0x5678)), '--flash', state]);
    expect(r.code).toBe(0);
    expect(afterBanner(r.out).startsWith('Match vendor ID from file: 1234\nMatch product ID from file: 5678\n')).toBe(true);
    expect(Buffer.compare(readFileSync(state).subarray(0, HELLO.length), Buffer.from(HELLO))).toBe(0);
  });

  it('a .dfu whose second target is missing: the first element is written, then "Corrupt DfuSe file" (66)', () => {
    const state = stateWith('two.bin', pattern);
    const two = body.slice();
    two[10] = 2;
    const r = dfu(['-a', '0', '-D', file('two.dfu', resuffix(two)), '--flash', state]);
    expect(r.code).toBe(66);
    expect(r.err.trimEnd().split('\n').at(-1)).toBe('dfu-util: Corrupt DfuSe file: Cannot read 274 bytes from 0 bytes');
    expect(Buffer.compare(readFileSync(state).subarray(0, HELLO.length), Buffer.from(HELLO))).toBe(0);
  });

  it('a state file of the wrong size is refused before anything is written', () => {
    const p = join(dir, 'small.bin');
    writeFileSync(p, new Uint8Array(1000));
    expect(() => dfu(['-a', '0', '-s', '0x08000000', '-D', raw(), '--flash', p])).toThrow(/flash state file is 1000 bytes/);
    expect(readFileSync(p).length).toBe(1000);
  });

  it('a state-file path that is a directory is refused', () => {
    const p = join(dir, 'sdir');
    mkdirSync(p, { recursive: true });
    expect(() => dfu(['-a', '0', '-s', '0x08000000', '-D', raw(), '--flash', p])).toThrow(/is a directory/);
  });
});
