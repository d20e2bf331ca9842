import { describe, expect, it } from 'vitest';
import { link } from '../../src/builder/link/linker.js';
import { parseLinkerScript } from '../../src/builder/link/script.js';
import { RelocType, type ObjectFile, type ObjectSection } from '../../src/builder/object.js';
import { readAddend } from '../../src/builder/elf/reloc-fields.js';
import { UserError } from '../../src/core/errors.js';
import { handmadeObject } from './handmade.js';

const SCRIPT = `MEMORY { FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 64K
  RAM (rwx) : ORIGIN = 0x20000000, LENGTH = 16K }
ENTRY(start)
SECTIONS {
  .text : { KEEP(*(.vectors)) *(.text .text.*) *(.rodata*) . = ALIGN(4); } > FLASH
  _sidata = LOADADDR(.data);
  .data : { _sdata = .; *(.data .data.*) . = ALIGN(4); _edata = .; } >RAM AT>FLASH
  .bss (NOLOAD) : { _sbss = .; *(.bss*) _ebss = .; } > RAM
  _estack = ORIGIN(RAM) + LENGTH(RAM);
  PROVIDE(unused_provide = 1);
}`;
const script = (text = SCRIPT) => parseLinkerScript(text, 'test.ld');

function text(name: string, halfwords: number[], relocs: ObjectSection['relocs'] = []): ObjectSection {
  const data = new Uint8Array(halfwords.length * 2);
  halfwords.forEach((h, i) => {
    data[2 * i] = h & 0xff;
    data[2 * i + 1] = h >> 8;
  });
  return { name, kind: 'text', data, size: data.length, align: 2, relocs };
}

/** start: bl caller; b . — and a definition of ext_func (returns). */
function startObject(): ObjectFile {
  return {
    name: 'start.o',
    sections: [
      text('.text.start', [0xf000, 0xf800, 0xe7fe], [{ offset: 0, type: RelocType.R_ARM_THM_CALL, symbol: 'caller', addend: -4 }]),
      text('.text.ext_func', [0x4770]),
      text('.text.dead', [0x4770]),
    ],
    symbols: [
      { name: 'start', section: 0, value: 0, size: 6, binding: 'global', type: 'func' },
      { name: 'ext_func', section: 1, value: 0, size: 2, binding: 'global', type: 'func' },
      { name: 'dead', section: 2, value: 0, size: 2, binding: 'global', type: 'func' },
    ],
  };
}

const u32 = (d: Uint8Array, o: number) => (d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16) | (d[o + 3]! << 24)) >>> 0;

describe('linker', () => {
  it('places sections by the script, with LMA in FLASH for .data and the startup symbols', () => {
    const img = link([startObject(), handmadeObject()], script(), { gcSections: false });
    const names = img.sections.map((s) => [s.name, s.vma.toString(16), s.lma.toString(16), s.size, s.nobits]);
    expect(names).toEqual([
      ['.text', '8000000', '8000000', 0x20, false],
      ['.data', '20000000', '8000020', 8, false],
      ['.bss', '20000008', '8000028', 64, true],
    ]);
    const sym = (n: string) => img.symbols.find((s) => s.name === n)?.value;
    expect(sym('_sidata')).toBe(0x0800_0020);
    expect([sym('_sdata'), sym('_edata'), sym('_sbss'), sym('_ebss'), sym('_estack')]).toEqual([0x2000_0000, 0x2000_0008, 0x2000_0008, 0x2000_0048, 0x2000_4000]);
    expect(sym('unused_provide')).toBeUndefined();
    expect(img.entry).toBe(0x0800_0001);
  });

  it('garbage-collects what ENTRY and KEEP do not reach', () => {
    const img = link([startObject(), handmadeObject()], script());
    expect(img.discarded).toEqual(['start.o(.text.dead)', 'handmade.wasm(.data.fptr)', 'handmade.wasm(.bss.scratch)']);
    expect(img.sections.map((s) => [s.name, s.size])).toEqual([
      ['.text', 0x20],
      ['.data', 4],
    ]);
  });

  it('applies THM_CALL, MOVW/MOVT and ABS32 with the Thumb bit on function addresses', () => {
    const img = link([startObject(), handmadeObject()], script(), { gcSections: false });
    const t = img.sections[0]!;
    const caller = img.symbols.find((s) => s.name === 'caller')!.value;
    const ext = img.symbols.find((s) => s.name === 'ext_func')!.value;
    expect(caller & 1).toBe(1);
    // bl in start: target = P + 4 + offset
    expect(0x0800_0000 + 4 + readAddend(RelocType.R_ARM_THM_CALL, t.data, 0)).toBe(caller & ~1);
    const callerOff = (caller & ~1) - t.vma;
    expect(t.vma + callerOff + 2 + 4 + readAddend(RelocType.R_ARM_THM_CALL, t.data, callerOff + 2)).toBe(ext & ~1);
    expect(readAddend(RelocType.R_ARM_THM_MOVW_ABS_NC, t.data, callerOff + 6) & 0xffff).toBe(0x0000);
    expect(readAddend(RelocType.R_ARM_THM_MOVT_ABS, t.data, callerOff + 10) & 0xffff).toBe(0x2000);
    // fptr in .data holds caller | 1
    const fptr = img.symbols.find((s) => s.name === 'fptr')!;
    expect(u32(img.sections[1]!.data, fptr.value - 0x2000_0000)).toBe(caller);
  });

  it('a strong definition overrides a weak one; two strong ones are an error naming both objects', () => {
    const strong: ObjectFile = { name: 'strong.o', sections: [{ name: '.bss.s', kind: 'bss', data: new Uint8Array(0), size: 4, align: 4, relocs: [] }], symbols: [{ name: 'scratch', section: 0, value: 0, size: 4, binding: 'global', type: 'object' }] };
    const hm = handmadeObject();
    hm.sections[0]!.relocs.push({ offset: 6, type: RelocType.R_ARM_THM_MOVW_ABS_NC, symbol: 'scratch', addend: 0 });
    const img = link([startObject(), hm, strong], script());
    expect(img.symbols.find((s) => s.name === 'scratch')).toMatchObject({ object: 'strong.o', binding: 'global' });
    const dup = { ...startObject(), name: 'again.o' };
    expect(() => link([startObject(), handmadeObject(), dup], script())).toThrow("multiple definition of 'start': first defined in start.o, again in again.o");
  });

  it('an undefined reference names the symbol and the referencing object', () => {
    const s = startObject();
    s.sections = s.sections.slice();
    s.sections[1] = text('.text.ext_func', [0x4770]);
    s.symbols = s.symbols.filter((x) => x.name !== 'ext_func');
    expect(() => link([s, handmadeObject()], script())).toThrow(UserError);
    expect(() => link([s, handmadeObject()], script())).toThrow("handmade.wasm: undefined reference to 'ext_func' (from .text.caller+0x2)");
  });

  it('a BL that cannot reach its target is an error naming the place', () => {
    const far = `MEMORY { A : ORIGIN = 0, LENGTH = 64M }
      ENTRY(start) SECTIONS { .text : { *(.text.start) *(.text.ext_func) } > A .far 0x2000000 : { *(.text*) } > A .data : { *(.data* .bss*) } > A }`;
    expect(() => link([startObject(), handmadeObject()], script(far))).toThrow(/start\.o: \.text\.start\+0x0: relocation against 'caller' does not fit: BL offset \d+ out of range/);
  });

  it('region overflow and unknown regions are reported', () => {
    const small = SCRIPT.replace('LENGTH = 16K', 'LENGTH = 0x40');
    expect(() => link([startObject(), handmadeObject()], script(small), { gcSections: false })).toThrow('section .bss does not fit in region RAM: region RAM overflowed by 8 bytes');
    expect(() => link([startObject(), handmadeObject()], script(SCRIPT.replace('> FLASH', '> ROM')))).toThrow('test.ld:5: memory region ROM is not defined in MEMORY');
  });

  it('/DISCARD/ drops input sections; without gc every section stays', () => {
    // First matching pattern wins, as in ld: /DISCARD/ has to come before .text's *(.text.*).
    const d = SCRIPT.replace('SECTIONS {', 'SECTIONS { /DISCARD/ : { *(.text.dead) }');
    const img = link([startObject(), handmadeObject()], script(d), { gcSections: false });
    expect(img.discarded).toEqual(['start.o(.text.dead)']);
    const all = link([startObject(), handmadeObject()], script(), { gcSections: false });
    expect(all.discarded).toEqual([]);
    expect(all.sections[0]!.inputs.map((p) => p.section.name)).toEqual(['.text.start', '.text.ext_func', '.text.dead', '.text.caller']);
  });

  it('orphan sections go after the output section holding their kind, with a warning', () => {
    const o = startObject();
    o.sections.push({ name: '.ramfunc', kind: 'data', data: new Uint8Array([1, 2, 3, 4]), size: 4, align: 4, relocs: [] });
    const img = link([o, handmadeObject()], script(), { gcSections: false });
    expect(img.sections.map((s) => s.name)).toEqual(['.text', '.data', '.ramfunc', '.bss']);
    expect(img.warnings).toEqual(['orphan section .ramfunc placed after .data']);
  });

  it('forward references in the script settle (SIZEOF of a later section)', () => {
    const fwd = SCRIPT.replace('_sidata = LOADADDR(.data);', '_sidata = LOADADDR(.data); bss_size = SIZEOF(.bss); both = bss_size * 2 + 1;');
    const img = link([startObject(), handmadeObject()], script(fwd), { gcSections: false });
    expect(img.symbols.find((s) => s.name === 'bss_size')!.value).toBe(64);
    expect(img.symbols.find((s) => s.name === 'both')!.value).toBe(129);
  });
});

describe('tentative definitions (COMMON)', () => {
  const common = (name: string, size: number): ObjectFile => ({
    name,
    sections: [{ name: 'COMMON', kind: 'bss', data: new Uint8Array(0), size, align: 4, relocs: [] }],
    symbols: [{ name: 'shared', section: 0, value: 0, size, binding: 'global', type: 'object' }],
  });
  it('merge like ld: the largest tentative one, or a real definition, wins without a duplicate error', () => {
    const user: ObjectFile = {
      name: 'user.o',
      sections: [text('.text.start', [0xf240, 0x0000], [{ offset: 0, type: RelocType.R_ARM_THM_MOVW_ABS_NC, symbol: 'shared', addend: 0 }])],
      symbols: [{ name: 'start', section: 0, value: 0, size: 4, binding: 'global', type: 'func' }],
    };
    const img = link([user, common('a.o', 4), common('b.o', 16)], script());
    expect(img.symbols.find((s) => s.name === 'shared')).toMatchObject({ object: 'b.o', size: 16 });
    const real: ObjectFile = { ...common('real.o', 8), sections: [{ name: '.bss.shared', kind: 'bss', data: new Uint8Array(0), size: 8, align: 4, relocs: [] }] };
    const img2 = link([user, common('a.o', 32), real], script());
    expect(img2.symbols.find((s) => s.name === 'shared')).toMatchObject({ object: 'real.o', size: 8 });
  });
});
