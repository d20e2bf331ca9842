/** `emboard boards [NAME]`: the boards, their MCU, clocks, memory map, console, LEDs and buttons. */
import type { Command } from 'commander';
import { listBoards, loadBoard } from '../../boards/board.js';
import { describeBoard } from '../../boards/describe.js';

export function registerBoards(program: Command): void {
  program
    .command('boards')
    .description('list the boards emboard can emulate (MCU, clocks, memory, console, LEDs, buttons); with NAME, details of one board')
    .argument('[name]', 'board to describe in detail')
    .action((name: string | undefined) => {
      const names = name !== undefined ? [name] : listBoards();
      const blocks = names.map((n) => describeBoard(loadBoard(n), name !== undefined).join('\n'));
      process.stdout.write(`${blocks.join('\n\n')}\n`);
    });
}
