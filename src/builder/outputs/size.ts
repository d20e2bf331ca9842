/**
 * The size summary in `arm-none-eabi-size` Berkeley form: text = allocated sections with contents that are
 * code or read-only, data = allocated writable sections with contents, bss = allocated sections without
 * contents; columns `%7u\t%7u\t%7u\t%7u\t%7x\t%s` under the header binutils prints.
 */
import type { LinkedImage } from '../link/linker.js';

export interface SizeSummary {
  text: number;
  data: number;
  bss: number;
}

export function sizeOf(image: LinkedImage): SizeSummary {
  const r = { text: 0, data: 0, bss: 0 };
  for (const s of image.sections) {
    if (s.nobits) r.bss += s.size;
    else if (s.kind === 'text' || s.kind === 'rodata') r.text += s.size;
    else r.data += s.size;
  }
  return r;
}

export const SIZE_HEADER = '   text\t   data\t    bss\t    dec\t    hex\tfilename\n';

export function sizeLine(s: SizeSummary, filename: string): string {
  const dec = s.text + s.data + s.bss;
  const col = (v: string) => v.padStart(7);
  return `${col(String(s.text))}\t${col(String(s.data))}\t${col(String(s.bss))}\t${col(String(dec))}\t${col(dec.toString(16))}\t${filename}\n`;
}

/** What `arm-none-eabi-size FILE` prints for the linked image. */
export function sizeReport(image: LinkedImage, filename: string): string {
  return SIZE_HEADER + sizeLine(sizeOf(image), filename);
}
