import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readObject } from '../../src/builder/elf/read-object.js';
import { readAddend, writeAddend, writeResult } from '../../src/builder/elf/reloc-fields.js';
import { writeObject } from '../../src/builder/elf/write-object.js';
import { RelocType } from '../../src/builder/object.js';
import { handmadeObject } from './handmade.js';
import { GCC_FLAGS, HAVE_BINUTILS, HAVE_GCC, run, tempDir, writeTemp } from './toolchain.js';

const R = RelocType;

describe('relocation fields (AAELF32 encodings)', () => {
  it('encodes a BL addend of -4 as gcc does (f7ff fffe)', () => {
    const d = new Uint8Array([0x00, 0xf0, 0x00, 0xf8]);
    expect(writeAddend(R.R_ARM_THM_CALL, d, 0, -4)).toBeUndefined();
    expect([...d]).toEqual([0xff, 0xf7, 0xfe, 0xff]);
    expect(readAddend(R.R_ARM_THM_CALL, d, 0)).toBe(-4);
  });
  it('encodes MOVW #0x1234 (f241 2034) and MOVT takes the high half of a result', () => {
    const d = new Uint8Array([0x40, 0xf2, 0x00, 0x00]);
    writeResult(R.R_ARM_THM_MOVW_ABS_NC, d, 0, 0x1234);
    expect([...d]).toEqual([0x41, 0xf2, 0x34, 0x20]);
    const t = new Uint8Array([0xc0, 0xf2, 0x00, 0x00]);
    writeResult(R.R_ARM_THM_MOVT_ABS, t, 0, 0x8765_0000);
    expect(readAddend(R.R_ARM_THM_MOVT_ABS, t, 0) & 0xffff).toBe(0x8765);
  });
  it.each([
    [R.R_ARM_THM_CALL, [-0x1000000, -4, 0, 0xfffffe]],
    [R.R_ARM_THM_JUMP24, [-0x1000000, 0x123456, 0xfffffe]],
    [R.R_ARM_THM_JUMP19, [-0x100000, -4, 0xffffe]],
    [R.R_ARM_THM_JUMP11, [-2048, -4, 2046]],
    [R.R_ARM_THM_JUMP8, [-256, -4, 254]],
    [R.R_ARM_THM_PC12, [-4095, -4, 4095]],
    [R.R_ARM_THM_ALU_PREL_11_0, [-4095, -4, 0, 4095]],
    [R.R_ARM_THM_PC8, [-4, 0, 1016]],
    [R.R_ARM_PREL31, [-0x40000000, 0x3fffffff]],
    [R.R_ARM_ABS32, [-1, 0x12345678]],
  ] as const)('type %i round-trips addends at the range ends', (type, values) => {
    for (const v of values) {
      const d = new Uint8Array([0x00, 0xf0, 0x00, 0xb8]);
      expect(writeAddend(type, d, 0, v)).toBeUndefined();
      expect(readAddend(type, d, 0)).toBe(v);
    }
  });
  it('refuses branch results out of range', () => {
    const d = new Uint8Array(4);
    expect(writeResult(R.R_ARM_THM_CALL, d, 0, 0x1000000)).toMatch(/BL offset 16777216 out of range/);
    expect(writeResult(R.R_ARM_THM_JUMP19, d, 0, -0x100002)).toMatch(/out of range/);
    expect(writeResult(R.R_ARM_THM_PC8, d, 0, 2)).toMatch(/multiple of 4/);
  });
});

describe('ELF32 ET_REL writer/reader', () => {
  it('reads back what it writes (sections, symbols, relocations with addends)', () => {
    const obj = handmadeObject();
    const back = readObject(writeObject(obj), 'x.o');
    expect(back.name).toBe('handmade.wasm');
    expect(back.sections.map((s) => [s.name, s.kind, s.size, s.align])).toEqual(obj.sections.map((s) => [s.name, s.kind, s.size, s.align]));
    expect(back.sections[0]!.relocs).toEqual(obj.sections[0]!.relocs);
    expect(back.sections[2]!.relocs).toEqual(obj.sections[2]!.relocs);
    const named = back.symbols.filter((s) => !s.name.startsWith('$'));
    expect(named).toEqual(expect.arrayContaining(obj.symbols.map((s) => expect.objectContaining(s))));
  });

  describe.skipIf(!HAVE_BINUTILS)('binutils accept it (skipped: arm-none-eabi binutils not installed)', () => {
    const dir = tempDir();
    const o = writeTemp(dir, 'hm.o', writeObject(handmadeObject()));
    it('readelf -a: no warnings, EABI5 flags, REL relocations and attributes decoded', () => {
      const r = run('arm-none-eabi-readelf', ['-a', '-W', o]);
      expect(r.status).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/Flags:\s+0x5000000, Version5 EABI/);
      expect(r.stdout).toMatch(/R_ARM_THM_CALL\s+00000000\s+ext_func/);
      expect(r.stdout).toMatch(/R_ARM_ABS32\s+00000001\s+caller/);
      expect(r.stdout).toMatch(/Tag_CPU_arch: v7E-M/);
      expect(r.stdout).toMatch(/00000001\s+22 FUNC\s+GLOBAL DEFAULT\s+1 caller/);
    });
    it('objdump -dr disassembles Thumb-2 with the relocations', () => {
      const r = run('arm-none-eabi-objdump', ['-dr', o]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/f7ff fffe \tbl\t0 <ext_func>\n\s+2: R_ARM_THM_CALL\text_func/);
      expect(r.stdout).toMatch(/R_ARM_THM_MOVT_ABS\tcounter/);
    });
    it.skipIf(!HAVE_GCC)('GNU ld links it with a gcc object (skipped without arm-none-eabi-gcc)', () => {
      const c = writeTemp(dir, 'ext.c', 'extern int counter; void caller(void);\nint ext_func(void) { return counter * 3; }\nvoid Reset_Handler(void) { caller(); for (;;) {} }\n');
      expect(run('arm-none-eabi-gcc', ['-c', ...GCC_FLAGS, '-o', join(dir, 'ext.o'), c]).status).toBe(0);
      const ld = writeTemp(dir, 't.ld', 'ENTRY(Reset_Handler)\nSECTIONS { . = 0x1000; .text : { *(.text*) } . = 0x20000000; .data : { *(.data*) } .bss : { *(.bss*) } }\n');
      const r = run('arm-none-eabi-ld', ['-T', ld, '-o', join(dir, 'out.elf'), join(dir, 'ext.o'), o]);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const nm = run('arm-none-eabi-nm', [join(dir, 'out.elf')]).stdout;
      const addr = (n: string) => parseInt(new RegExp(`^([0-9a-f]+) \\w ${n}$`, 'm').exec(nm)![1]!, 16);
      const dis = run('arm-none-eabi-objdump', ['-d', join(dir, 'out.elf')]).stdout;
      expect(dis).toContain(`bl\t${addr('ext_func').toString(16)} <ext_func>`);
      expect(dis).toMatch(new RegExp(`movw\\tr0, #${addr('counter') & 0xffff}`));
      expect(dis).toMatch(new RegExp(`movt\\tr0, #${addr('counter') >>> 16}\\b`));
      // fptr (.data.fptr) holds caller's address with the Thumb bit.
      const data = run('arm-none-eabi-objdump', ['-s', '-j', '.data', join(dir, 'out.elf')]).stdout;
      const word = ((addr('caller') | 1) >>> 0).toString(16).padStart(8, '0');
      const le = word.match(/../g)!.reverse().join('');
      expect(data.replace(/ /g, '')).toContain(le);
    });
  });

  it.skipIf(!HAVE_GCC)('floatAbi hard: GNU ld mixes it with -mfloat-abi=hard objects, soft is refused (skipped without arm-none-eabi-gcc)', () => {
    const dir = tempDir();
    const c = writeTemp(dir, 'hf.c', 'float mul(float a, float b) { return a * b; }\n');
    const hf = join(dir, 'hf.o');
    expect(run('arm-none-eabi-gcc', ['-c', ...GCC_FLAGS, '-mfpu=fpv4-sp-d16', '-mfloat-abi=hard', '-o', hf, c]).status).toBe(0);
    const hard = writeTemp(dir, 'hard.o', writeObject(handmadeObject(), { floatAbi: 'hard' }));
    const soft = writeTemp(dir, 'soft.o', writeObject(handmadeObject()));
    expect(run('arm-none-eabi-readelf', ['-A', hard]).stdout).toMatch(/Tag_FP_arch: VFPv4-D16[\s\S]*Tag_ABI_VFP_args: VFP registers/);
    const ok = run('arm-none-eabi-ld', ['-r', '-o', join(dir, 'ok.o'), hf, hard]);
    expect(ok.stderr).toBe('');
    expect(ok.status).toBe(0);
    expect(run('arm-none-eabi-ld', ['-r', '-o', join(dir, 'bad.o'), hf, soft]).stderr).toMatch(/uses VFP register arguments/);
  });

  it.skipIf(!HAVE_GCC)('reads gcc objects: Thumb functions without the low bit, REL addends, same relocation count as readelf (skipped without arm-none-eabi-gcc)', () => {
    const dir = tempDir();
    const out = join(dir, 'main.o');
    expect(run('arm-none-eabi-gcc', ['-c', ...GCC_FLAGS, '-o', out, 'test/builder/fixtures/main.c']).status).toBe(0);
    const obj = readObject(new Uint8Array(readFileSync(out)), out);
    expect(obj.name).toBe('main.c');
    const main = obj.symbols.find((s) => s.name === 'main')!;
    expect(main.type).toBe('func');
    expect(main.value & 1).toBe(0);
    expect(obj.sections[main.section]!.name).toBe('.text.startup.main');
    const relocCount = obj.sections.reduce((n, s) => n + s.relocs.length, 0);
    const readelf = run('arm-none-eabi-readelf', ['-r', out]).stdout;
    const allocRelocs = [...readelf.matchAll(/Relocation section '\.rel(\.[^']+)' at offset \S+ contains (\d+) entr/g)].filter((m) => !m[1]!.startsWith('.debug') && m[1] !== '.ARM.exidx').reduce((n, m) => n + Number(m[2]), 0);
    expect(relocCount).toBe(allocRelocs);
    const bl = obj.sections[main.section]!.relocs.find((r) => r.type === R.R_ARM_THM_CALL)!;
    expect(bl.addend).toBe(-4);
    // Re-written by our writer, binutils still read it.
    const again = writeTemp(dir, 'again.o', writeObject(obj));
    const r = run('arm-none-eabi-objdump', ['-dr', again]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('<main>:');
  });
});
