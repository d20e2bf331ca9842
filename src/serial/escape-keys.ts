/**
 * screen-style escape keys on an interactive terminal: Ctrl-A then a command key.
 * `k` or `\` quit, `a` sends a literal Ctrl-A, `r` resets the board, `?` shows the keys. Any other key after
 * Ctrl-A is dropped (as screen does with unbound keys). State survives across chunks.
 */
export type EscapeCommand = 'quit' | 'reset' | 'help';

export const ESCAPE_HELP =
  'emboard escape keys: Ctrl-A k or Ctrl-A \\ quit, Ctrl-A a send Ctrl-A, Ctrl-A r reset the board, Ctrl-A ? this help';

const CTRL_A = 0x01;

export class EscapeDecoder {
  private armed = false;

  constructor(
    private readonly onData: (bytes: Uint8Array) => void,
    private readonly onCommand: (cmd: EscapeCommand) => void,
  ) {}

  feed(chunk: Uint8Array): void {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.armed) {
        this.armed = false;
        start = i + 1;
        if (b === 0x61 /* a */) this.onData(Uint8Array.of(CTRL_A));
        else if (b === 0x6b /* k */ || b === 0x5c /* \ */ || b === 0x0b /* Ctrl-K */) this.onCommand('quit');
        else if (b === 0x72 /* r */) this.onCommand('reset');
        else if (b === 0x3f /* ? */) this.onCommand('help');
      } else if (b === CTRL_A) {
        if (i > start) this.onData(chunk.subarray(start, i));
        this.armed = true;
        start = i + 1;
      }
    }
    if (!this.armed && start < chunk.length) this.onData(chunk.subarray(start));
  }
}
