/** The ObjectFile compileModule produces: sections, symbols, relocations; written as ELF and read by binutils. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileModule } from '../../src/builder/codegen/compile.js';
import { RelocType } from '../../src/builder/object.js';
import { writeObject } from '../../src/builder/elf/write-object.js';
import { readObject } from '../../src/builder/elf/read-object.js';
import { emitModule, I32, op } from './wasm-emit.js';

function hasTool(name: string): boolean {
  try {
    execFileSync(name, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
const objdump = hasTool('arm-none-eabi-objdump');

const II_I = { params: [I32, I32], results: [I32] };
const bytes = emitModule({
  types: [II_I],
  imports: [{ module: 'env', name: 'ext', type: 0 }, { module: 'hal', name: 'poke', type: 0 }],
  funcs: [
    { type: 0, body: [...op.local_get(0), ...op.local_get(1), ...op.call(0), ...op.local_get(1), 0x6d] },
    { type: 0, body: [...op.local_get(0), ...op.local_get(1), ...op.call(1), ...op.global_get(0), 0x6a, ...op.local_get(1), ...op.local_get(0), ...op.call_indirect(0)] },
    { type: 0, body: [...op.local_get(0), ...op.load(0x28, 4)] },
  ],
  memory: { min: 1, max: 3 },
  table: 2,
  elems: [{ offset: 1, funcs: [2] }],
  globals: [{ type: I32, mutable: false, init: 7 }],
  exports: [{ name: 'divit', index: 2 }, { name: 'alias', index: 2 }, { name: 'viaTable', index: 3 }, { name: 'g', kind: 3, index: 0 }],
  data: [{ offset: 4, bytes: [1, 2, 3, 4] }],
});

describe('codegen object file', () => {
  const obj = compileModule(bytes, { source: 'obj.wasm' });
  const sym = (n: string) => obj.symbols.find((s) => s.name === n);

  it('has one .text section per function plus the init, data, memory and table sections', () => {
    expect(obj.name).toBe('obj.wasm');
    expect(obj.sections.map((s) => [s.name, s.kind])).toEqual([
      ['.text.divit', 'text'],
      ['.text.viaTable', 'text'],
      ['.text.__wasm_f4', 'text'],
      ['.data.wasm_globals', 'data'],
      ['.data.wasm_memory_size', 'data'],
      ['.bss.wasm_memory', 'bss'],
      ['.rodata.wasm_table', 'rodata'],
      ['.rodata.wasm_data', 'rodata'],
      ['.text.__wasm_init', 'text'],
    ]);
    const mem = obj.sections[5]!;
    expect([mem.size, mem.data.length]).toEqual([3 * 65536, 0]);
    expect([...obj.sections[4]!.data]).toEqual([0, 0, 1, 0]); // 65536 bytes initially
    for (const s of obj.sections.filter((x) => x.kind === 'text')) expect(s.size % 2).toBe(0);
  });

  it('exports are global symbols, imports and __wasm_trap undefined, internals local', () => {
    expect(sym('divit')).toMatchObject({ section: 0, value: 0, binding: 'global', type: 'func' });
    expect(sym('alias')).toMatchObject({ section: 0, binding: 'global', type: 'func' });
    expect(sym('__wasm_f2')).toMatchObject({ section: 0, binding: 'local' });
    expect(sym('g')).toMatchObject({ section: 3, value: 0, binding: 'global', type: 'object' });
    expect(sym('ext')).toMatchObject({ section: -1, binding: 'global' });
    expect(sym('hal_poke')).toMatchObject({ section: -1, binding: 'global' });
    expect(sym('__wasm_trap')).toMatchObject({ section: -1 });
    expect(sym('__wasm_init')).toMatchObject({ section: 8, binding: 'global', type: 'func' });
    expect(sym('__wasm_memory')).toMatchObject({ section: 5, size: 3 * 65536 });
  });

  it('relocations: calls, memory/global/table addresses, table entries', () => {
    const relocs = (i: number) => obj.sections[i]!.relocs.map((r) => `${r.type}:${r.symbol}`);
    expect(relocs(0)).toContain(`${RelocType.R_ARM_THM_CALL}:ext`);
    expect(relocs(0)).toContain(`${RelocType.R_ARM_THM_CALL}:__wasm_trap`);
    expect(relocs(1)).toEqual(expect.arrayContaining([`${RelocType.R_ARM_THM_CALL}:hal_poke`, `${RelocType.R_ARM_THM_MOVW_ABS_NC}:__wasm_globals`, `${RelocType.R_ARM_THM_MOVT_ABS}:__wasm_table`]));
    expect(relocs(2)).toEqual(expect.arrayContaining([`${RelocType.R_ARM_THM_MOVW_ABS_NC}:__wasm_memory`, `${RelocType.R_ARM_THM_MOVT_ABS}:__wasm_memory_size`]));
    expect(obj.sections[6]!.relocs).toEqual([{ offset: 12, type: RelocType.R_ARM_ABS32, symbol: '__wasm_f2', addend: 0 }]);
    const table = new DataView(obj.sections[6]!.data.buffer);
    expect([table.getInt32(0, true), table.getInt32(8, true)]).toEqual([-1, 0]);
    expect(relocs(8)).toEqual(expect.arrayContaining([`${RelocType.R_ARM_THM_MOVW_ABS_NC}:__wasm_data`, `${RelocType.R_ARM_THM_MOVT_ABS}:__wasm_memory`]));
  });

  it('survives the ELF writer and reader unchanged', () => {
    const back = readObject(writeObject(obj), 'obj.o');
    for (const s of obj.sections) {
      const b = back.sections.find((x) => x.name === s.name)!;
      expect(b.size).toBe(s.size);
      if (s.kind !== 'bss') expect([...b.data]).toEqual([...s.data]);
      expect(b.relocs.map((r) => [r.offset, r.type, r.symbol, r.addend])).toEqual(s.relocs.map((r) => [r.offset, r.type, r.symbol, r.addend]));
    }
  });

  it.skipIf(!objdump)(`arm-none-eabi-objdump disassembles it with our relocations${objdump ? '' : ' (skipped: arm-none-eabi-objdump not installed)'}`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'codegen-'));
    const file = join(dir, 'obj.o');
    writeFileSync(file, writeObject(obj));
    const out = execFileSync('arm-none-eabi-objdump', ['-dr', file], { encoding: 'utf8' });
    expect(out).toMatch(/<(divit|alias)>:\n\s+0:\s+b5f0\s+push\s+\{r4, r5, r6, r7, lr\}/);
    expect(out).toMatch(/R_ARM_THM_CALL\s+ext/);
    expect(out).toMatch(/sdiv\s+r4, r4, r5/);
    expect(out).toMatch(/ldr\.w\s+ip, \[lr, #4\]/);
    expect(out).toMatch(/stmdb\s+sp!, \{r4, r5, sl, fp, lr\}/);
    expect(out).not.toMatch(/undefined|UNDEFINED|<UNDEFINED>/);
  });
});
