/**
 * Our linker against GNU ld on the same gcc objects and the same script (linker/*.ld): section VMA/LMA/size,
 * symbol values, and the same UART output and exit status when both ELFs run on emboard's mps2-an386.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readObject } from '../../src/builder/elf/read-object.js';
import { writeExecutable } from '../../src/builder/elf/write-exec.js';
import { writeObject } from '../../src/builder/elf/write-object.js';
import { linkWithScript } from '../../src/builder/link/index.js';
import { runOnEmboard } from '../firmware/emboard-run.js';
import { GCC_FLAGS, HAVE_GCC, once, run, tempDir, writeTemp } from './toolchain.js';

const FIXTURES = ['startup', 'uart', 'main', 'scale'];

interface Sec {
  name: string;
  size: number;
  vma: number;
  lma: number;
}
function sections(elf: string): Sec[] {
  const out = run('arm-none-eabi-objdump', ['-h', elf]).stdout;
  return [...out.matchAll(/^\s*\d+ (\S+)\s+([0-9a-f]{8})\s+([0-9a-f]{8})\s+([0-9a-f]{8})/gm)]
    .map((m) => ({ name: m[1]!, size: parseInt(m[2]!, 16), vma: parseInt(m[3]!, 16), lma: parseInt(m[4]!, 16) }))
    .filter((s) => s.name !== '.ARM.attributes');
}
function symbols(elf: string): Map<string, number> {
  const out = run('arm-none-eabi-nm', [elf]).stdout;
  return new Map([...out.matchAll(/^([0-9a-f]{8}) \w (\S+)$/gm)].filter((m) => !m[2]!.startsWith('$')).map((m) => [m[2]!, parseInt(m[1]!, 16)]));
}

describe.skipIf(!HAVE_GCC)('linking gcc objects like GNU ld (skipped: arm-none-eabi-gcc/binutils not installed)', () => {
  const dir = tempDir();
  // -fno-merge-constants: ld merges SHF_MERGE string sections and we do not (see docs/builder.md).
  const objects = once(() =>
    FIXTURES.map((f) => {
      const o = join(dir, `${f}.o`);
      const r = run('arm-none-eabi-gcc', ['-c', ...GCC_FLAGS, '-fno-merge-constants', '-Wall', '-Werror', '-o', o, `test/builder/fixtures/${f}.c`]);
      if (r.status !== 0) throw new Error(r.stderr);
      return o;
    }),
  );

  for (const script of ['linker/mps2-an386.ld', 'linker/stm32f411xe.ld']) {
    describe(script, () => {
      const gnu = join(dir, `gnu-${script.split('/')[1]}.elf`);
      const ours = join(dir, `ours-${script.split('/')[1]}.elf`);
      const linked = once(() => {
        const ld = run('arm-none-eabi-ld', ['-T', script, '--gc-sections', '-o', gnu, ...objects()]);
        const image = linkWithScript(objects().map((o) => readObject(new Uint8Array(readFileSync(o)), o)), script);
        writeTemp(dir, ours.split('/').pop()!, writeExecutable(image));
        return { ld, image };
      });

      it('GNU ld links the fixtures without complaint', () => {
        const { ld } = linked();
        expect(ld.stderr).toBe('');
        expect(ld.status).toBe(0);
      });
      it('same output sections at the same VMA and LMA with the same sizes', () => {
        linked();
        expect(sections(ours)).toEqual(sections(gnu));
      });
      it('same symbol values (functions with the Thumb bit, _sidata/_sdata/_ebss/_estack/heap bounds)', () => {
        const { image } = linked();
        const g = symbols(gnu);
        const o = symbols(ours);
        for (const n of ['_sidata', '_sdata', '_edata', '_sbss', '_ebss', '_estack', '_heap_start', '_heap_end', '_etext']) expect(o.get(n), n).toBe(g.get(n));
        expect([...o.keys()].sort()).toEqual([...g.keys()].sort());
        for (const [n, v] of g) expect(o.get(n), n).toBe(v);
        expect(image.entry).toBe(g.get('Reset_Handler')! | 1);
      });
      it('same loadable bytes (objcopy -O binary)', () => {
        linked();
        const a = join(dir, 'a.bin');
        const b = join(dir, 'b.bin');
        run('arm-none-eabi-objcopy', ['-O', 'binary', gnu, a]);
        run('arm-none-eabi-objcopy', ['-O', 'binary', ours, b]);
        expect(Buffer.compare(readFileSync(a), readFileSync(b))).toBe(0);
      });
      it('readelf -a and objdump -d read our ELF without warnings', () => {
        linked();
        for (const [tool, args] of [
          ['arm-none-eabi-readelf', ['-a', '-W']],
          ['arm-none-eabi-objdump', ['-d']],
        ] as const) {
          const r = run(tool, [...args, ours]);
          expect(r.stderr, tool).toBe('');
          expect(r.status).toBe(0);
        }
        expect(run('arm-none-eabi-objdump', ['-d', ours]).stdout).toMatch(/<Reset_Handler>:\n/);
      });
      it('drops what nothing reaches (--gc-sections) and keeps KEEP(*(.vectors))', () => {
        const { image } = linked();
        expect(image.discarded).toContain(`main.c(.text.never_called)`);
        expect(image.sections[0]!.inputs.map((p) => p.section.name)).toEqual(['.vectors']);
      });
    });
  }

  it('gcc objects re-written by our ELF writer link in GNU ld to the same bytes and symbols', () => {
    const objs = objects();
    const rewritten = objs.map((o) => writeTemp(dir, 'rw-' + o.split('/').pop()!, writeObject(readObject(new Uint8Array(readFileSync(o)), o))));
    const a = join(dir, 'gnu-orig.elf');
    const b = join(dir, 'gnu-rewritten.elf');
    expect(run('arm-none-eabi-ld', ['-T', 'linker/mps2-an386.ld', '--gc-sections', '-o', a, ...objs]).stderr).toBe('');
    const r = run('arm-none-eabi-ld', ['-T', 'linker/mps2-an386.ld', '--gc-sections', '-o', b, ...rewritten]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(sections(b)).toEqual(sections(a));
    expect([...symbols(b)]).toEqual([...symbols(a)]);
    run('arm-none-eabi-objcopy', ['-O', 'binary', a, join(dir, 'orig.bin')]);
    run('arm-none-eabi-objcopy', ['-O', 'binary', b, join(dir, 'rw.bin')]);
    expect(Buffer.compare(readFileSync(join(dir, 'orig.bin')), readFileSync(join(dir, 'rw.bin')))).toBe(0);
  });

  it('the mps2-an386 link runs on emboard with the same UART output and exit status as the GNU one', () => {
    if (!existsSync(join(dir, 'ours-mps2-an386.ld.elf'))) throw new Error('run with the mps2-an386.ld tests (they link the ELFs)');
    const g = runOnEmboard(join(dir, 'gnu-mps2-an386.ld.elf'), 1_000_000);
    const o = runOnEmboard(join(dir, 'ours-mps2-an386.ld.elf'), 1_000_000);
    expect(g.stdout).toBe('hello from the builder\nsum 54 counter 42 -> 43\nbss 0 ops 14 49 scale 500 thumb 1\n');
    expect(o.stdout).toBe(g.stdout);
    expect(o.status).toBe(0);
    expect(o.instructions).toBe(g.instructions);
  });
});
