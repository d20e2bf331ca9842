/**
 * Where `emboard dfu-util` writes (stdout/stderr like the C tool: progress and messages on stdout,
 * warnx/errx lines prefixed "dfu-util: " on stderr) and how it stops (errx → DfuUtilExit with the
 * sysexits code: 64 usage, 65 data, 66 no input, 70 software, 73 can't create, 74 I/O, 76 protocol).
 */
export interface DfuUtilIo {
  out(text: string): void;
  /** One warnx() line: "dfu-util: " + msg + "\n" on stderr. */
  warn(msg: string): void;
  /** Raw stderr text (usage). */
  err(text: string): void;
  verbose: number;
}

export class DfuUtilExit extends Error {
  constructor(
    readonly code: number,
    /** The errx() message (printed as "dfu-util: MSG"), or null when everything was printed already. */
    readonly msg: string | null,
  ) {
    super(msg ?? `exit ${code}`);
    this.name = 'DfuUtilExit';
  }
}

export const EX = { OK: 0, USAGE: 64, DATAERR: 65, NOINPUT: 66, SOFTWARE: 70, CANTCREAT: 73, IOERR: 74, PROTOCOL: 76 } as const;
