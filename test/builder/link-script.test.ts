import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { parseLinkerScript, type OutputSection } from '../../src/builder/link/script.js';
import { UserError } from '../../src/core/errors.js';

const outputs = (text: string) => parseLinkerScript(text, 't.ld').statements.filter((s): s is OutputSection => s.kind === 'output');

describe('linker script parser', () => {
  it('reads linker/stm32f411xe.ld: regions, entry, sections with > RAM AT> FLASH, NOLOAD, KEEP', () => {
    const s = parseLinkerScript(readFileSync('linker/stm32f411xe.ld', 'utf8'), 'linker/stm32f411xe.ld');
    expect(s.memory).toEqual([
      expect.objectContaining({ name: 'FLASH', attrs: 'rx', origin: 0x0800_0000, length: 512 * 1024 }),
      expect.objectContaining({ name: 'RAM', attrs: 'rwx', origin: 0x2000_0000, length: 128 * 1024 }),
    ]);
    expect(s.entry).toBe('Reset_Handler');
    const outs = s.statements.filter((x): x is OutputSection => x.kind === 'output');
    expect(outs.map((o) => o.name)).toEqual(['.isr_vector', '.text', '.ARM.exidx', '.data', '.bss', '/DISCARD/']);
    const data = outs.find((o) => o.name === '.data')!;
    expect([data.region, data.lmaRegion]).toEqual(['RAM', 'FLASH']);
    expect(outs.find((o) => o.name === '.bss')!.noload).toBe(true);
    expect(outs[0]!.items.filter((i) => i.kind === 'input').map((i) => i.kind === 'input' && [i.keep, i.sections])).toEqual([
      [true, ['.vectors']],
      [true, ['.isr_vector']],
    ]);
  });

  it('parses the compact forms: >RAM AT>FLASH, AT(), ALIGN(), address, PROVIDE, LONG, SORT, comments', () => {
    const outs = outputs(`/* c */ SECTIONS { .a 0x100 : AT(0x200) ALIGN(8) { PROVIDE(x = .); LONG(0x12345678) *(SORT(.s.*)) KEEP(*crt0.o(.init)) } >RAM AT>FLASH
      .b : { . += 4; y = ALIGN(16) - 1 ? 2 : 3; } }`);
    expect(outs[0]).toMatchObject({ name: '.a', address: { k: 'num', v: 0x100 }, at: { k: 'num', v: 0x200 }, align: { k: 'num', v: 8 }, region: 'RAM', lmaRegion: 'FLASH' });
    expect(outs[0]!.items.map((i) => i.kind)).toEqual(['assign', 'data', 'input', 'input']);
    expect(outs[0]!.items[2]).toMatchObject({ file: '*', sections: ['.s.*'], sort: true, keep: false });
    expect(outs[0]!.items[3]).toMatchObject({ file: '*crt0.o', sections: ['.init'], keep: true });
    expect(outs[1]!.items[0]).toMatchObject({ target: '.', op: '+=' });
    expect(outs[1]!.items[1]).toMatchObject({ target: 'y', expr: { k: 'cond' } });
  });

  it('K/M suffixes, hex and ORIGIN/LENGTH of earlier regions in MEMORY', () => {
    const s = parseLinkerScript('MEMORY { A (rx) : ORIGIN = 0x08000000, LENGTH = 16K\n B : org = ORIGIN(A) + LENGTH(A), len = 1M - 16K }', 't.ld');
    expect(s.memory.map((m) => [m.origin, m.length])).toEqual([
      [0x0800_0000, 16384],
      [0x0800_4000, 1024 * 1024 - 16384],
    ]);
  });

  it.each([
    ['SECTIONS {\n .text : { *(.text) } > \n}', 't.ld:3: expected a memory region but found \'}\''],
    ['MEMORY {\n RAM : ORIGIN = 0, LENGTH = 4\n RAM : ORIGIN = 4, LENGTH = 4 }', 't.ld:3: memory region RAM defined twice'],
    ['SECTIONS {\n .a : { x = 1 }\n .b : { y = ; } }', "t.ld:3: expected an expression but found ';'"],
    ['/* open', 't.ld:1: unterminated comment'],
    ['SECTIONS { .a : { x = FOO(1); } }', 't.ld:1: unknown function FOO()'],
    ['\n\nINCLUDE other.ld', 't.ld:3: INCLUDE is not supported'],
    ['SECTIONS {\n\n .a : { *(.text) @ } }', "t.ld:3: unexpected character '@'"],
  ])('reports %j as one line naming file:line', (text, message) => {
    expect(() => parseLinkerScript(text, 't.ld')).toThrow(UserError);
    expect(() => parseLinkerScript(text, 't.ld')).toThrow(message);
  });
});
