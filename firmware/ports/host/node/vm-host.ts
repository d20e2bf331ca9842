/**
 * Node side of the host port: compiles the VM (firmware/py + firmware/ports/host/main.ts) to WebAssembly with
 * the `assemblyscript` compiler on first use, caches the module by a hash of its sources, and implements the
 * imports of firmware/py/hal.ts. See docs/vm.md.
 */
import { createHash } from 'node:crypto';
import {
  closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options passed to the compiler; part of the cache key. */
const ASC_FLAGS = ['-O1', '--runtime', 'incremental', '--stackSize', '1048576', '--disableWarning', '201', '--noAssert'];

/** The folder holding firmware/ (the package root), found from this module's location. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'firmware', 'py', 'obj.ts')) && existsSync(join(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error('emboard py: cannot find the firmware/ sources next to package.json');
    dir = up;
  }
}

function sourceFiles(root: string): string[] {
  const files: string[] = [];
  for (const sub of ['firmware/py', 'firmware/ports/host']) {
    for (const name of readdirSync(join(root, sub)).sort()) {
      if (name.endsWith('.ts')) files.push(join(sub, name));
    }
  }
  return files;
}

function cacheDir(root: string): string {
  const preferred = join(root, 'node_modules', '.cache', 'emboard-py');
  try {
    mkdirSync(preferred, { recursive: true });
    return preferred;
  } catch {
    const fallback = join(tmpdir(), 'emboard-py-cache');
    mkdirSync(fallback, { recursive: true });
    return fallback;
  }
}

/** The VM's wasm bytes: from the cache, or compiled now (a few seconds). */
export async function loadPyWasm(): Promise<Uint8Array> {
  // For VM development: a wasm built by hand (asc firmware/ports/host/main.ts -o FILE).
  const override = process.env.EMBOARD_PY_WASM;
  if (override) return readFileSync(override);
  const root = packageRoot();
  const files = sourceFiles(root);
  const ascPkg = JSON.parse(readFileSync(join(root, 'node_modules', 'assemblyscript', 'package.json'), 'utf8')) as {
    version: string;
  };
  const hash = createHash('sha256');
  hash.update(ascPkg.version + '\0' + ASC_FLAGS.join(' ') + '\0');
  for (const f of files) hash.update(f + '\0' + readFileSync(join(root, f), 'utf8') + '\0');
  const key = hash.digest('hex').slice(0, 16);
  const dir = cacheDir(root);
  const cached = join(dir, `vm-${key}.wasm`);
  if (existsSync(cached)) return readFileSync(cached);
  // One compiler at a time: parallel test workers (or CLI runs) wait for the first one's result.
  const lock = `${cached}.lock`;
  let fd: number | undefined;
  try {
    fd = openSync(lock, 'wx');
  } catch {
    const deadline = Date.now() + 300_000;
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      if (existsSync(cached)) return readFileSync(cached);
      if (!existsSync(lock)) break; // the other compiler failed: try ourselves
    }
  }
  try {
    const wasm = await compileVm(root);
    const tmp = `${cached}.${process.pid}.tmp`;
    writeFileSync(tmp, wasm);
    renameSync(tmp, cached); // atomic
    return wasm;
  } finally {
    if (fd !== undefined) {
      closeSync(fd);
      rmSync(lock, { force: true });
    }
  }
}

async function compileVm(root: string): Promise<Uint8Array> {
  const asc = await import('assemblyscript/asc');
  let out: Uint8Array | undefined;
  const errors: string[] = [];
  const stderr = {
    write(chunk: string | Uint8Array): void {
      errors.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    },
  };
  const result = await asc.main(['firmware/ports/host/main.ts', '-o', 'vm.wasm', ...ASC_FLAGS], {
    readFile: (name: string, baseDir: string) => {
      const p = join(root, baseDir, name);
      return existsSync(p) ? readFileSync(p, 'utf8') : null;
    },
    writeFile: (name: string, contents: Uint8Array | string) => {
      if (name.endsWith('.wasm') && typeof contents !== 'string') out = contents;
    },
    listFiles: () => [],
    stdout: { write: () => undefined } as unknown as typeof stderr,
    stderr,
  } as Parameters<typeof asc.main>[1]);
  if (result.error || !out) {
    throw new Error(`emboard py: compiling the VM failed: ${result.error?.message ?? ''}\n${errors.join('')}`);
  }
  return out;
}

export interface PyVmOptions {
  /** Python heap in bytes (mark-sweep, fixed). */
  heapBytes?: number;
  /** Value stack slots (locals and operands of all active frames). */
  stackValues?: number;
  /** Maximum Python call depth before RecursionError. */
  maxDepth?: number;
  stdout?: (bytes: Uint8Array) => void;
  stderr?: (bytes: Uint8Array) => void;
  /** Collect before every allocation (slow; for tests that hunt missing GC roots). */
  gcStress?: boolean;
}

/** The part of the WebAssembly API used here (the project's TypeScript lib has no DOM/wasm typings). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: unknown } }>;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

interface VmExports {
  memory: WasmMemory;
  init(heap: number, stack: number, depth: number): void;
  inputBuffer(n: number): number;
  runScript(n: number, nameLen: number): number;
  replStart(echo: number): void;
  replInput(n: number): number;
  gcStats(which: number): number;
  gcStress(on: number): void;
}

/** Error raised when the wasm code traps (an internal VM bug, never a Python exception). */
export class VmTrap extends Error {}

/** One VM instance (one heap, one __main__). */
export class PyVm {
  private constructor(private readonly ex: VmExports) {}

  static async create(opts: PyVmOptions = {}): Promise<PyVm> {
    const wasm = await loadPyWasm();
    const out = opts.stdout ?? ((b: Uint8Array) => process.stdout.write(b));
    const err = opts.stderr ?? ((b: Uint8Array) => process.stderr.write(b));
    const start = performance.now();
    const state: { memory?: WasmMemory } = {};
    const bytes = (p: number, n: number): Uint8Array => new Uint8Array(state.memory!.buffer, p, n).slice();
    const imports = {
      env: {
        abort(msg: number, file: number, line: number, col: number): void {
          const memory = state.memory;
          const text = (p: number): string => {
            if (!p || !memory) return '?';
            const len = new Uint32Array(memory.buffer, p - 4, 1)[0];
            return Buffer.from(new Uint8Array(memory.buffer, p, len)).toString('utf16le');
          };
          throw new VmTrap(`VM abort: ${text(msg)} at ${text(file)}:${line}:${col}`);
        },
      },
      hal: {
        consoleWrite: (p: number, n: number) => out(bytes(p, n)),
        errorWrite: (p: number, n: number) => err(bytes(p, n)),
        ticksMs: () => performance.now() - start,
      },
    };
    const { instance } = await wasmApi.instantiate(wasm, imports);
    const ex = instance.exports as VmExports;
    state.memory = ex.memory;
    ex.init(opts.heapBytes ?? 1024 * 1024, opts.stackValues ?? 64 * 1024, opts.maxDepth ?? 500);
    if (opts.gcStress) ex.gcStress(1);
    return new PyVm(ex);
  }

  private put(data: Uint8Array, extra = 0): number {
    const p = this.ex.inputBuffer(data.length + extra);
    new Uint8Array(this.ex.memory.buffer, p, data.length).set(data);
    return p;
  }

  /** Runs a whole script as __main__; returns its exit status (1 after an uncaught exception). */
  runScript(source: string | Uint8Array, filename: string): number {
    const src = typeof source === 'string' ? Buffer.from(source, 'utf8') : source;
    const name = Buffer.from(filename, 'utf8');
    const joined = new Uint8Array(src.length + name.length);
    joined.set(src, 0);
    joined.set(name, src.length);
    this.put(joined);
    return this.ex.runScript(src.length, name.length);
  }

  replStart(echo: boolean): void {
    this.ex.replStart(echo ? 1 : 0);
  }

  /** Feeds input bytes; returns undefined while the REPL goes on, or the exit status when it ends. */
  replInput(data: Uint8Array | string): number | undefined {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.put(bytes);
    const r = this.ex.replInput(bytes.length);
    return r === 0 ? undefined : r & 0xff;
  }

  gcStats(): { alloc: number; free: number; size: number } {
    return { alloc: this.ex.gcStats(0), free: this.ex.gcStats(1), size: this.ex.gcStats(2) };
  }
}
