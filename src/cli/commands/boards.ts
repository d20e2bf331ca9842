/** `emboard boards`: list the board files. */
import type { Command } from 'commander';
import { listBoards, loadBoard } from '../../boards/board.js';

export function registerBoards(program: Command): void {
  program
    .command('boards')
    .description('list the boards emboard can emulate')
    .action(() => {
      for (const name of listBoards()) {
        const b = loadBoard(name);
        process.stdout.write(`${name.padEnd(20)} ${b.description ?? ''}\n`);
      }
    });
}
