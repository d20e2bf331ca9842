/**
 * The image tools (library: src/tools/image-tools.ts). objcopy-like: silent on success unless -v, one
 * `emboard: FILE: what (at offset 0x…)` line and exit code 2 on bad input.
 */
import { type Command, InvalidArgumentError } from 'commander';
import * as tools from '../../tools/image-tools.js';
import type { WriteResult } from '../../tools/image-tools.js';
import { hex32 } from '../../image/image.js';
import { parseAddress } from './parse.js';

function parseByte(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 0xff) throw new InvalidArgumentError(`expects a byte value 0..0xff, got '${v}'`);
  return n;
}

function parseU16(v: string): number {
  const n = Number(v.startsWith('0x') || v.startsWith('0X') ? v : `0x${v}`); // USB IDs are hex, as in dfu-util
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw new InvalidArgumentError(`expects a 16-bit hex value such as 0x0483, got '${v}'`);
  return n;
}

function parseIndex(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`expects an element index (0, 1, …), got '${v}'`);
  return n;
}

function report(verbose: unknown, tool: string, results: WriteResult | WriteResult[]): void {
  if (!verbose) return;
  for (const r of Array.isArray(results) ? results : [results]) {
    const ranges = r.segments.map((s) => `${hex32(s.address)}-${hex32(s.address + s.length)}`).join(', ');
    process.stdout.write(`${tool}: wrote ${r.path} (${r.bytes} bytes; ${ranges})\n`);
  }
}

function flatOptions(cmd: Command): Command {
  return cmd
    .option('--gap-fill <byte>', 'fill gaps between sections with this byte (objcopy default: 0x00)', parseByte)
    .option('--base <addr>', 'output starts at this address (filled up to the first data)', parseAddress)
    .option('--pad-to <addr>', 'fill the output up to this end address', parseAddress);
}

function dfuOptions(cmd: Command): Command {
  const d = tools.DFU_DEFAULTS;
  return cmd
    .option('--vid <hex>', `USB vendor ID in the DFU suffix (default 0x${d.vid.toString(16).padStart(4, '0')})`, parseU16)
    .option('--pid <hex>', `USB product ID in the DFU suffix (default 0x${d.pid.toString(16)})`, parseU16)
    .option('--device <hex>', `bcdDevice in the DFU suffix (default 0x${d.device.toString(16)})`, parseU16)
    .option('--alt <n>', `alternate setting of the target (default ${d.alt})`, parseByte)
    .option('--name <text>', `target name (default "${d.name}"; "" for an unnamed target)`);
}

export function registerImageTools(program: Command): void {
  const verbose = (c: Command) => c.option('-v, --verbose', 'say what was written');

  verbose(flatOptions(program.command('hex2bin').description('Intel HEX to flat binary, as objcopy -I ihex -O binary').argument('<in.hex>').argument('<out.bin>'))).action(
    (i: string, o: string, opts: Record<string, unknown>) => report(opts.verbose, 'hex2bin', tools.hex2bin(i, o, opts)),
  );
  verbose(flatOptions(program.command('elf2bin').description('ELF to flat binary, as objcopy -O binary').argument('<in.elf>').argument('<out.bin>'))).action(
    (i: string, o: string, opts: Record<string, unknown>) => report(opts.verbose, 'elf2bin', tools.elf2bin(i, o, opts)),
  );
  verbose(
    program
      .command('bin2hex')
      .description('flat binary to Intel HEX, as objcopy -I binary -O ihex --change-addresses BASE')
      .argument('<in.bin>')
      .argument('<out.hex>')
      .option('--base <addr>', 'load address of the binary (default 0)', parseAddress)
      .option('--start <addr>', 'start address record (default: the base; 0 writes none)', parseAddress),
  ).action((i: string, o: string, opts: Record<string, unknown>) => report(opts.verbose, 'bin2hex', tools.bin2hex(i, o, opts)));
  verbose(program.command('elf2hex').description('ELF to Intel HEX, as objcopy -O ihex').argument('<in.elf>').argument('<out.hex>')).action(
    (i: string, o: string, opts: Record<string, unknown>) => report(opts.verbose, 'elf2hex', tools.elf2hex(i, o)),
  );
  verbose(
    dfuOptions(
      program
        .command('bin2dfu')
        .description('flat binary to a DfuSe v1.1a file')
        .argument('<in.bin>')
        .argument('<out.dfu>')
        .option('--base <addr>', `load address (default ${hex32(tools.DEFAULT_DFU_ADDRESS)})`, parseAddress),
    ),
  ).action((i: string, o: string, opts: Record<string, unknown>) => report(opts.verbose, 'bin2dfu', tools.bin2dfu(i, o, opts)));
  verbose(dfuOptions(program.command('hex2dfu').description('Intel HEX to a DfuSe v1.1a file').argument('<in.hex>').argument('<out.dfu>'))).action(
    (i: string, o: string, opts: Record<string, unknown>) => report(opts.verbose, 'hex2dfu', tools.hex2dfu(i, o, opts)),
  );
  verbose(dfuOptions(program.command('elf2dfu').description('ELF to a DfuSe v1.1a file').argument('<in.elf>').argument('<out.dfu>'))).action(
    (i: string, o: string, opts: Record<string, unknown>) => report(opts.verbose, 'elf2dfu', tools.elf2dfu(i, o, opts)),
  );
  verbose(
    program
      .command('dfu2bin')
      .description('DfuSe (or suffixed DFU) file to flat binary; checks the suffix and CRC')
      .argument('<in.dfu>')
      .argument('<out.bin>')
      .option('--element <n>', 'which image element (across targets, file order)', parseIndex)
      .option('--each', 'write every element, to OUT with .N before its extension'),
  ).action((i: string, o: string, opts: Record<string, unknown>) => report(opts.verbose, 'dfu2bin', tools.dfu2bin(i, o, opts)));
  program
    .command('info')
    .description('describe a firmware file: format, address ranges, entry, initial SP and reset vector, CRC32')
    .argument('<file>')
    .option('--base <addr>', 'load address of a raw binary', parseAddress)
    .action((f: string, opts: { base?: number }) => {
      process.stdout.write(tools.info(f, opts).join('\n') + '\n');
    });
}
