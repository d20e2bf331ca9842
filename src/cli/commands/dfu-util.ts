/**
 * `emboard dfu-util [dfu-util 0.11 options] [--board B] [--flash FILE] [--protect-sectors N,…]`: dfu-util's
 * command line and output against the board's emulated STM32 DFU bootloader (src/tools/dfu-util). Every
 * argument goes to our dfu-util parser unchanged (commander only dispatches), so `-h`, `-V` and getopt's
 * error messages are dfu-util's; the exit code is dfu-util's.
 */
import type { Command } from 'commander';
import { takeEmboardOptions } from '../../tools/dfu-util/emboard-options.js';
import { BoardBus } from '../../tools/dfu-util/board-device.js';
import { runDfuUtil } from '../../tools/dfu-util/main.js';

export function registerDfuUtil(program: Command): void {
  // dfu-util's own -V/-h after the command name must reach it, not the program's --version.
  program.enablePositionalOptions();
  program
    .command('dfu-util')
    .description('dfu-util 0.11 (same options and output) flashing the emulated STM32 DFU bootloader; plus --board B --flash FILE')
    .helpOption(false)
    .passThroughOptions()
    .allowUnknownOption()
    .allowExcessArguments()
    .argument('[args...]')
    .action((args: string[]) => {
      const o = takeEmboardOptions(args);
      const bus = new BoardBus({ board: o.board, flashPath: o.flashPath, protectSectors: o.protectSectors });
      const r = runDfuUtil(o.rest, {
        devices: () => bus.devices(),
        out: (t) => process.stdout.write(t),
        err: (t) => process.stderr.write(t),
      });
      bus.close();
      process.exitCode = r.code;
    });
}
