/** `emboard erase` and `emboard flash`: work on a board's --flash state file (library: src/tools/flash-tools.ts). */
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_FLASH_BOARD, eraseFlash, flashImage } from '../../tools/flash-tools.js';
import { parseAddress } from './parse.js';

function parseCount(flag: string) {
  return (v: string): number => {
    const n = Number(v.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} expects a whole number such as 4096 or 0x1000, got '${v}'`);
    return n;
  };
}

export function registerFlashTools(program: Command): void {
  program
    .command('erase')
    .description("erase the internal flash in a --flash state file by whole sectors (F411: 4×16K, 1×64K, 3×128K)")
    .requiredOption('--flash <file>', 'state file (as used by emboard run --flash)')
    .option('-b, --board <name>', `board whose flash the file holds (default ${DEFAULT_FLASH_BOARD})`)
    .option('--all', 'erase every sector (mass erase)')
    .option('--sector <n>', 'erase one sector', parseCount('--sector'))
    .option('--start <addr>', 'erase from this address (rounded down to its sector)', parseAddress)
    .option('--length <n>', 'bytes to erase from --start (rounded up to whole sectors)', parseCount('--length'))
    .action((opts: Record<string, unknown>) => {
      const lines = eraseFlash({
        flash: opts.flash as string,
        board: opts.board as string | undefined,
        all: opts.all === true,
        sector: opts.sector as number | undefined,
        start: opts.start as number | undefined,
        length: opts.length as number | undefined,
      });
      for (const l of lines) process.stdout.write(`${l}\n`);
    });

  program
    .command('flash')
    .description('program a firmware image into a --flash state file as a programmer does (erase the touched sectors, then program)')
    .argument('<file>', 'firmware image (ELF, Intel HEX, DfuSe, or raw binary at --address)')
    .requiredOption('--flash <file>', 'state file (as used by emboard run --flash); created when missing')
    .option('-b, --board <name>', `board whose flash the file holds (default ${DEFAULT_FLASH_BOARD})`)
    .option('--address <addr>', 'load address of a raw binary (default: the flash base)', parseAddress)
    .addOption(new Option('--format <fmt>', 'image format instead of detection').choices(['elf', 'ihex', 'bin', 'dfu']))
    .option('--no-erase', 'program without erasing the touched sectors (NOR: bits only change 1 → 0)')
    .action((file: string, opts: Record<string, unknown>) => {
      const lines = flashImage({
        flash: opts.flash as string,
        board: opts.board as string | undefined,
        file,
        address: opts.address as number | undefined,
        format: opts.format as 'elf' | 'ihex' | 'bin' | 'dfu' | undefined,
        noErase: opts.erase === false,
      });
      for (const l of lines) process.stdout.write(`${l}\n`);
    });
}
