/**
 * Every `emboard` subcommand, one module each. To add a command: write src/cli/commands/NAME.ts exporting
 * `registerNAME(program)`, then add its import and call here (one line each).
 */
import type { Command } from 'commander';
import { registerBoards } from './boards.js';
import { registerConsole } from './console.js';
import { registerRun } from './run.js';
import { registerImageTools } from './image-tools.js';
import { registerPy } from './py.js';
import { registerUsbServe } from './usb-serve.js';
import { registerFlashTools } from './flash-tools.js';
import { registerDfuUtil } from './dfu-util.js';

export function registerCommands(program: Command): void {
  registerRun(program);
  registerBoards(program);
  registerConsole(program);
  registerImageTools(program);
  registerPy(program);
  registerUsbServe(program);
  registerFlashTools(program);
  registerDfuUtil(program);
}
