/**
 * The `--flash FILE` state file: the non-volatile memories of a board (every `PersistentStore` of its SoC)
 * kept between runs and shared by `emboard run`, `emboard erase`, `emboard flash` and `emboard dfu-util`.
 *
 * Format (docs/flash-state.md): one raw file per store, exactly `store.size` bytes, no header, so
 * `hexdump`/`objcopy -I binary` users recognise it:
 *   store "flash"      (internal flash)  → FILE         (byte 0 = the flash's first address, 0x08000000 on the F411)
 *   store "spi-flash"  (W25Q SPI NOR)    → FILE.spi
 *   any other store N                    → FILE.N
 * A missing file means "not created yet": the store keeps what the machine put there (erased, or the image).
 *
 * Writes are atomic per file: the bytes go to a temporary file in the same folder, are fsync'ed, and the
 * temporary file is renamed over FILE (then the folder is fsync'ed), so a killed emulator leaves either the
 * old or the new complete file — never a torn one. Two stores are two files; a kill between their renames
 * leaves each file whole (one old, one new). Temporary files of dead processes are removed on open.
 *
 * Reading never writes: a wrong size or an unreadable file is a one-line UserError naming the file
 * (exit 2) before any store or file is touched.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from './errors.js';
import type { Logger } from './logger.js';
import type { PersistentStore, SocInstance } from './soc.js';

/** Store name → its file suffix (internal flash is FILE itself, the SPI flash FILE.spi). */
const SUFFIX: Readonly<Record<string, string>> = { flash: '', 'spi-flash': '.spi' };

/** The file that holds store `storeName` of the state file `path`. */
export function storeFilePath(path: string, storeName: string): string {
  return path + (SUFFIX[storeName] ?? `.${storeName}`);
}

const TMP_MARK = '.emboard-tmp-';

function errCode(e: unknown): string {
  const c = (e as NodeJS.ErrnoException).code;
  return c ? ` (${c})` : '';
}

/**
 * Reads every existing store file of `path` and checks its size, then copies them into the stores.
 * Nothing is copied unless every file is valid. Returns the names of the stores loaded and missing.
 */
export function loadStores(path: string, stores: readonly PersistentStore[]): { loaded: string[]; missing: string[] } {
  const found: [PersistentStore, Uint8Array][] = [];
  const missing: string[] = [];
  for (const s of stores) {
    const file = storeFilePath(path, s.name);
    let data: Buffer;
    try {
      if (!existsSync(file)) {
        missing.push(s.name);
        continue;
      }
      if (statSync(file).isDirectory()) throw new UserError(`${file}: flash state file is a directory`);
      data = readFileSync(file);
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(`${file}: cannot read flash state file${errCode(e)}`);
    }
    if (data.length !== s.size) {
      throw new UserError(`${file}: flash state file is ${data.length} bytes but this board's ${s.name} is ${s.size} bytes (another board's file?)`);
    }
    found.push([s, new Uint8Array(data.buffer, data.byteOffset, data.length)]);
  }
  for (const [s, data] of found) {
    s.bytes.set(data, 0);
    s.invalidate?.(0, s.size);
  }
  return { loaded: found.map(([s]) => s.name), missing };
}

/** Writes `data` to `file` atomically: temporary file in the same folder, fsync, rename, fsync of the folder. */
export function writeFileAtomic(file: string, data: Uint8Array): void {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}${TMP_MARK}${process.pid}`);
  let fd = -1;
  try {
    fd = openSync(tmp, 'w', 0o644);
    for (let off = 0; off < data.length; ) off += writeSync(fd, data, off, data.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = -1;
    renameSync(tmp, file);
  } catch (e) {
    if (fd >= 0) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw new UserError(`${file}: cannot write flash state file${errCode(e)}`);
  }
  // The rename itself must reach the disk too; a folder fsync is not possible everywhere (ignored there).
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    // best effort
  }
}

/** Writes the state files of `stores` (all, or the named ones) atomically. */
export function saveStores(path: string, stores: readonly PersistentStore[], only?: ReadonlySet<string>): void {
  for (const s of stores) {
    if (only && !only.has(s.name)) continue;
    writeFileAtomic(storeFilePath(path, s.name), s.bytes.subarray(0, s.size));
  }
}

/** Removes temporary files a killed emulator left next to `path` (only those of processes no longer alive). */
export function removeStaleTemps(path: string): void {
  const dir = dirname(path);
  const prefix = `.${basename(path)}`;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) {
    if (!n.startsWith(prefix)) continue;
    const i = n.lastIndexOf(TMP_MARK);
    if (i < 0) continue;
    const pid = Number(n.slice(i + TMP_MARK.length));
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    try {
      unlinkSync(join(dir, n));
    } catch {
      // raced with someone else's clean-up
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface FlashStateOptions {
  /** Host milliseconds between the first unsaved change and the write (default 200). */
  debounceMs?: number;
  log?: Logger;
}

/**
 * A state file bound to a SoC's stores: loads them on open, then saves changed stores (debounced in host
 * time, and at `flush`/`close`). Use: `openFlashState` → load images → `markAllDirty()` if images changed
 * the stores or the file was new → `watch()` → run → `close()`.
 */
export class FlashState {
  /** Stores that had no file yet when opened. */
  readonly missing: readonly string[];
  private readonly dirty = new Set<string>();
  private timer: NodeJS.Timeout | null = null;
  private watching = false;
  private closed = false;
  /** A failed background write, reported by `close()`. */
  private failure: UserError | null = null;
  private readonly debounceMs: number;

  constructor(
    readonly path: string,
    readonly stores: readonly PersistentStore[],
    private readonly opts: FlashStateOptions = {},
  ) {
    if (existsSync(path) && statSync(path).isDirectory()) throw new UserError(`${path}: flash state file is a directory`);
    this.missing = loadStores(path, stores).missing;
    const dir = dirname(path);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError(`${path}: folder ${dir} does not exist (the flash state file is created there)`);
    removeStaleTemps(path);
    for (const name of Object.keys(SUFFIX)) {
      const file = storeFilePath(path, name);
      if (!stores.some((s) => s.name === name) && existsSync(file)) opts.log?.warn(`${file} is kept but not used: this board has no ${name} in this run (--spi-flash?)`);
    }
    this.debounceMs = opts.debounceMs ?? 200;
  }

  /** True when no file of any store existed (first use). */
  get created(): boolean {
    return this.missing.length === this.stores.length;
  }

  /** The internal flash store (`flash`), if the SoC has one. */
  store(name: string): PersistentStore | undefined {
    return this.stores.find((s) => s.name === name);
  }

  /** Subscribes to the stores' program/erase notifications; each change schedules a debounced write. */
  watch(): void {
    if (this.watching) return;
    this.watching = true;
    for (const s of this.stores) s.onChange(() => this.markDirty(s.name));
  }

  markDirty(name: string): void {
    if (this.closed) return;
    this.dirty.add(name);
    if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        try {
          this.flush();
        } catch (e) {
          this.failure = e as UserError;
          this.opts.log?.error((e as Error).message);
        }
      }, this.debounceMs);
      this.timer.unref();
    }
  }

  /** Marks every store for saving (after images were loaded, or when the files are new). */
  markAllDirty(): void {
    for (const s of this.stores) this.dirty.add(s.name);
  }

  /** Writes every store with unsaved changes now. */
  flush(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.dirty.size === 0) return;
    const names = new Set(this.dirty);
    this.dirty.clear();
    saveStores(this.path, this.stores, names);
    this.opts.log?.debug(`flash state saved: ${[...names].join(', ')} → ${this.path}`);
  }

  /** Final write; later changes are ignored. Throws the UserError of a failed background write. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    if (this.failure) throw this.failure;
  }
}

/**
 * Opens the state file `path` for a SoC: validates and loads every existing store file (UserError and no
 * change anywhere if one is wrong). A SoC without persistent memory is a UserError too.
 */
export function openFlashState(path: string, soc: SocInstance, opts: FlashStateOptions = {}): FlashState {
  const stores = soc.persistentStores?.() ?? [];
  if (stores.length === 0) throw new UserError(`--flash ${path}: this board has no persistent flash to keep`);
  return new FlashState(path, stores, opts);
}
