import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readObject } from '../../src/builder/elf/read-object.js';
import { linkWithScript } from '../../src/builder/link/index.js';
import { link } from '../../src/builder/link/linker.js';
import { parseLinkerScript } from '../../src/builder/link/script.js';
import { makeOutputs, sizeLine, sizeReport, writeOutputs } from '../../src/builder/outputs/index.js';
import { elf2dfu } from '../../src/tools/image-tools.js';
import { loadImageBytes } from '../../src/image/load.js';
import { handmadeObject } from './handmade.js';
import type { ObjectFile } from '../../src/builder/object.js';
import { GCC_FLAGS, HAVE_GCC, once, run, tempDir } from './toolchain.js';

const SCRIPT = parseLinkerScript(
  `MEMORY { FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 64K
  RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 16K }
  SECTIONS { .text : { *(.text*) } > FLASH  .data : { *(.data*) } > RAM AT> FLASH  .bss : { *(.bss*) } > RAM }`,
  't.ld',
);

describe('build outputs', () => {
  const ext: ObjectFile = {
    name: 'ext.o',
    sections: [{ name: '.text.ext_func', kind: 'text', data: new Uint8Array([0x70, 0x47]), size: 2, align: 2, relocs: [] }],
    symbols: [{ name: 'ext_func', section: 0, value: 0, size: 2, binding: 'global', type: 'func' }],
  };
  const img = link([handmadeObject(), ext], SCRIPT, { gcSections: false });
  const out = makeOutputs(img);

  it('size summary in Berkeley form (columns of 7, tabs, hex of the total)', () => {
    expect(out.size).toEqual({ text: 24, data: 8, bss: 64 });
    expect(sizeReport(img, 'firmware.elf')).toBe('   text\t   data\t    bss\t    dec\t    hex\tfilename\n     24\t      8\t     64\t     96\t     60\tfirmware.elf\n');
    expect(sizeLine({ text: 12345678, data: 0, bss: 0 }, 'f')).toBe('12345678\t      0\t      0\t12345678\t bc614e\tf\n');
  });

  it('.bin spans the load addresses: .text then .data load image in FLASH', () => {
    expect(out.binAddress).toBe(0x0800_0000);
    expect(out.bin.length).toBe(0x18 + 8);
    expect([...out.bin.subarray(0x18, 0x1c)]).toEqual([5, 0, 0, 0]);
  });

  it('.elf, .hex and .dfu load back into the same bytes at the same addresses', () => {
    for (const [data, name] of [
      [out.elf, 'f.elf'],
      [new TextEncoder().encode(out.hex), 'f.hex'],
      [out.dfu, 'f.dfu'],
    ] as const) {
      const img2 = loadImageBytes(data, name);
      const flat = img2.segments.flatMap((s) => [...s.data]);
      expect(img2.segments[0]!.address, name).toBe(0x0800_0000);
      expect(flat, name).toEqual([...out.bin]);
    }
  });

  it('the map lists regions, output sections with VMA/LMA, inputs with their objects and symbols', () => {
    expect(out.map).toMatch(/^RAM\s+0x20000000\s+0x00004000\s+0x00000048\s+0\.44%$/m);
    expect(out.map).toMatch(/^\.data\s+0x20000000\s+0x08000018\s+0x00000008\s+4\s+RAM AT> FLASH$/m);
    expect(out.map).toMatch(/^ \.data\.counter\s+0x20000000\s+0x08000018\s+0x00000004\s+handmade\.wasm$/m);
    expect(out.map).toMatch(/^\s+0x08000001\s+global caller$/m);
  });

  describe.skipIf(!HAVE_GCC)('against binutils on a gcc-built firmware (skipped: arm-none-eabi-gcc not installed)', () => {
    const dir = tempDir();
    const elf = join(dir, 'build', 'firmware.elf');
    const built = once(() => {
      const objs = ['startup', 'uart', 'main', 'scale'].map((f) => {
        const o = join(dir, `${f}.o`);
        run('arm-none-eabi-gcc', ['-c', ...GCC_FLAGS, '-o', o, `test/builder/fixtures/${f}.c`]);
        return readObject(new Uint8Array(readFileSync(o)), o);
      });
      return writeOutputs(join(dir, 'build'), linkWithScript(objs, 'linker/stm32f411xe.ld'));
    });

    it('writes firmware.elf/.bin/.hex/.dfu/.map', () => {
      const { files } = built();
      expect(files.map((f) => f.split('/').pop())).toEqual(['firmware.elf', 'firmware.bin', 'firmware.hex', 'firmware.dfu', 'firmware.map']);
    });
    it('size summary equals arm-none-eabi-size on the same ELF', () => {
      const { sizeText } = built();
      expect(sizeText).toBe(run('arm-none-eabi-size', [elf]).stdout);
    });
    it('.bin and .hex equal objcopy -O binary / -O ihex of the same ELF', () => {
      built();
      run('arm-none-eabi-objcopy', ['-O', 'binary', elf, join(dir, 'oc.bin')]);
      run('arm-none-eabi-objcopy', ['-O', 'ihex', elf, join(dir, 'oc.hex')]);
      expect(Buffer.compare(readFileSync(join(dir, 'build', 'firmware.bin')), readFileSync(join(dir, 'oc.bin')))).toBe(0);
      expect(readFileSync(join(dir, 'build', 'firmware.hex'), 'latin1')).toBe(readFileSync(join(dir, 'oc.hex'), 'latin1'));
    });
    it('.dfu equals what emboard elf2dfu makes of the same ELF', () => {
      built();
      elf2dfu(elf, join(dir, 'tool.dfu'));
      expect(Buffer.compare(readFileSync(join(dir, 'build', 'firmware.dfu')), readFileSync(join(dir, 'tool.dfu')))).toBe(0);
    });
  });
});
