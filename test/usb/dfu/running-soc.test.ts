/**
 * The bootloader model over a running SoC's flash (not a state-file array): a program runs, dfu-util
 * flashes another one through the model into the machine's own flash storage, the leave request resets
 * the machine, and the new program runs — the decode caches of the old code were dropped.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machine } from '../../../src/core/machine.js';
import { loadImageBytes } from '../../../src/image/load.js';
import { createStm32DfuBootloader } from '../../../src/usb/dfu/stm32-bootloader.js';
import type { Stm32Flash } from '../../../src/soc/stm32f411/flash.js';
import { runDfuUtil } from '../../../src/tools/dfu-util/main.js';

const F411 = join(import.meta.dirname, '../../firmware/f411');

describe('STM32 DFU bootloader on a running F411 machine', () => {
  it('flashes crc.bin over a machine that ran hello.elf; :leave resets into the new program', () => {
    const out: number[] = [];
    const m = new Machine({ board: 'NUCLEO_F411RE', semihosting: { write: (_f, bytes) => out.push(...bytes) } });
    m.uart('usart2').onTransmit((b) => out.push(b));
    const elf = join(F411, 'bin/hello.elf');
    m.loadImage(loadImageBytes(new Uint8Array(readFileSync(elf)), elf));
    m.reset();
    let r = m.run({ maxInstructions: 5_000_000, timeoutSeconds: 5 });
    expect(r.reason).toBe('exit');
    expect(Buffer.from(out).toString('latin1')).toBe(readFileSync(join(F411, 'expected/hello.txt'), 'utf8'));

    const store = m.soc.persistentStores!().find((s) => s.name === 'flash')!;
    const flashIf = m.soc.devices.get('flash') as Stm32Flash;
    let resets = 0;
    const dev = createStm32DfuBootloader({
      flash: { bytes: store.bytes, written: (o, l) => store.invalidate?.(o, l) },
      optionBytes: { get: () => flashIf.optionBytes, set: (v) => (flashIf.optionBytes = v) },
      uid: m.bus.readBytes(0x1fff7a10, 12),
      onLeave: () => {
        resets++;
        m.reset();
      },
    });
    let text = '';
    const res = runDfuUtil(['-a', '0', '-s', '0x08000000:leave', '-D', join(F411, 'bin/crc.bin')], {
      devices: () => [{ device: dev, busNumber: 1, devnum: 2, path: '1-1' }],
      out: (t) => (text += t),
      err: (t) => (text += t),
    });
    expect(res.code).toBe(0);
    expect(text).toContain('Transitioning to dfuMANIFEST state\n');
    expect(resets).toBe(1);
    const crc = readFileSync(join(F411, 'bin/crc.bin'));
    expect(Buffer.compare(Buffer.from(store.bytes.subarray(0, crc.length)), crc)).toBe(0);

    out.length = 0;
    r = m.run({ maxInstructions: 5_000_000, timeoutSeconds: 5 });
    expect(r.reason).toBe('exit');
    expect(Buffer.from(out).toString('latin1')).toBe(readFileSync(join(F411, 'expected/crc.txt'), 'utf8'));
  });
});
