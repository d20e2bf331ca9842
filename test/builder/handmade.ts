/** A small hand-assembled object (Thumb-2) exercising THM_CALL, MOVW/MOVT and ABS32 relocations. */
import { RelocType, type ObjectFile } from '../../src/builder/object.js';

function halfwords(...h: number[]): Uint8Array {
  const out = new Uint8Array(h.length * 2);
  h.forEach((v, i) => {
    out[i * 2] = v & 0xff;
    out[i * 2 + 1] = v >> 8;
  });
  return out;
}

export function handmadeObject(): ObjectFile {
  // caller: push {r4,lr}; bl ext_func; movw r0,#:lower16:counter; movt r0,#:upper16:counter;
  //         ldr r1,[r0]; adds r1,#1; str r1,[r0]; pop {r4,pc}
  const text = halfwords(0xb510, 0xf000, 0xf800, 0xf240, 0x0000, 0xf2c0, 0x0000, 0x6801, 0x3101, 0x6001, 0xbd10);
  return {
    name: 'handmade.wasm',
    sections: [
      {
        name: '.text.caller',
        kind: 'text',
        data: text,
        size: text.length,
        align: 2,
        relocs: [
          { offset: 2, type: RelocType.R_ARM_THM_CALL, symbol: 'ext_func', addend: -4 },
          { offset: 6, type: RelocType.R_ARM_THM_MOVW_ABS_NC, symbol: 'counter', addend: 0 },
          { offset: 10, type: RelocType.R_ARM_THM_MOVT_ABS, symbol: 'counter', addend: 0 },
        ],
      },
      { name: '.data.counter', kind: 'data', data: new Uint8Array([5, 0, 0, 0]), size: 4, align: 4, relocs: [] },
      {
        name: '.data.fptr',
        kind: 'data',
        data: new Uint8Array(4),
        size: 4,
        align: 4,
        relocs: [{ offset: 0, type: RelocType.R_ARM_ABS32, symbol: 'caller', addend: 0 }],
      },
      { name: '.bss.scratch', kind: 'bss', data: new Uint8Array(0), size: 64, align: 8, relocs: [] },
    ],
    symbols: [
      { name: 'caller', section: 0, value: 0, size: text.length, binding: 'global', type: 'func' },
      { name: 'counter', section: 1, value: 0, size: 4, binding: 'global', type: 'object' },
      { name: 'fptr', section: 2, value: 0, size: 4, binding: 'local', type: 'object' },
      { name: 'scratch', section: 3, value: 0, size: 64, binding: 'weak', type: 'object' },
      { name: 'ext_func', section: -1, value: 0, size: 0, binding: 'global', type: 'notype' },
    ],
  };
}
