/**
 * Errors a user can cause (bad file, bad flag, bad address) are `UserError`s: one line, an exit code.
 * The CLI prints `emboard: <message>` and exits with `exitCode`; anything else reaching the CLI is a bug.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** The emulation stopped on a guest error (lockup, unrecoverable fault): exit code 1 with a register dump. */
export class EmulationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EmulationError';
  }
}

/**
 * A bus access that nothing answers (unmapped address, write to ROM, device refusing the size).
 * Thrown by the bus, caught by the CPU and turned into a BusFault; never reaches the host.
 * Deliberately not an `Error`: no stack capture on a path guest code can trigger at will.
 */
export class BusError {
  constructor(
    readonly address: number,
    readonly write: boolean,
    readonly size: number,
  ) {}
  toString(): string {
    return `bus error: ${this.write ? 'write' : 'read'}${this.size * 8} at 0x${(this.address >>> 0).toString(16).padStart(8, '0')}`;
  }
}
