/**
 * Codegen differential testing: the same wasm module runs in Node's WebAssembly (the reference), on our
 * Cortex-M4 and (when libunicorn2 is installed) on Unicorn; results and traps must agree.
 */
import { expect, it } from 'vitest';
import { compileModule } from '../../src/builder/codegen/compile.js';
import { TrapReason } from '../../src/builder/codegen/abi.js';
import { unicornAvailable, unicornUnavailableReason } from '../oracle/unicorn.js';
import { EmboardRunner, link, UnicornRunner, type ImportStubs, type Outcome, type Runner } from './codegen-harness.js';
import { emitModule, type ModuleDesc } from './wasm-emit.js';

export type Call = [name: string, args: number[]];

/** The part of Node's WebAssembly API used here (the project's TypeScript lib has no wasm typings). */
interface WasmInstance {
  exports: Record<string, unknown>;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => WasmInstance;
  RuntimeError: new () => Error;
}
const Wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Node's outcome, with V8's trap messages mapped to our reason codes. */
function nodeCall(inst: WasmInstance, name: string, args: number[]): Outcome {
  const f = inst.exports[name] as (...a: number[]) => number;
  try {
    return { value: f(...args) | 0 };
  } catch (e) {
    if (!(e instanceof Wasm.RuntimeError)) throw e;
    const m = e.message;
    const table: [RegExp, number][] = [
      [/unreachable/, TrapReason.unreachable],
      [/divide by zero|remainder by zero/, TrapReason.divideByZero],
      [/unrepresentable|overflow/, TrapReason.integerOverflow],
      [/memory access out of bounds/, TrapReason.memoryOutOfBounds],
      [/signature mismatch|null function/, TrapReason.indirectCallMismatch],
      [/table index is out of bounds/, TrapReason.tableOutOfBounds],
    ];
    const hit = table.find(([re]) => re.test(m));
    if (!hit) throw new Error(`unmapped trap message: ${m}`);
    return { trap: hit[1] };
  }
}

export interface Check {
  desc: ModuleDesc;
  calls: Call[];
  /** JS implementations of imports (Node) and their Thumb equivalents (CPU). */
  js?: Record<string, (...a: number[]) => number>;
  thumb?: ImportStubs;
  maxMemoryPages?: number;
}

function runAll(runner: Runner, calls: Call[]): Outcome[] {
  try {
    return calls.map(([n, a]) => runner.call(n, a));
  } finally {
    runner.close();
  }
}

function prepare(c: Check): { expected: Outcome[]; img: ReturnType<typeof link> } {
  const bytes = emitModule(c.desc);
  const inst = new Wasm.Instance(new Wasm.Module(bytes), { env: c.js ?? {} });
  const expected = c.calls.map(([n, a]) => nodeCall(inst, n, a));
  const obj = compileModule(bytes, { source: 'test.wasm', ...(c.maxMemoryPages !== undefined ? { maxMemoryPages: c.maxMemoryPages } : {}) });
  return { expected, img: link(obj, c.thumb) };
}

function label(calls: Call[], i: number): string {
  return `${calls[i]![0]}(${calls[i]![1].join(', ')})`;
}

function compare(got: Outcome[], expected: Outcome[], calls: Call[]): void {
  const bad = got.flatMap((g, i) => (JSON.stringify(g) === JSON.stringify(expected[i]) ? [] : [`${label(calls, i)}: got ${JSON.stringify(g)}, want ${JSON.stringify(expected[i])}`]));
  expect(bad.slice(0, 10)).toEqual([]);
  // A corpus whose calls all give the same outcome would not test much.
  if (calls.length > 1) expect(new Set(expected.map((e) => JSON.stringify(e))).size).toBeGreaterThan(1);
}

/** Registers one module: an emboard test and a Unicorn test (skipped visibly without libunicorn2). */
export function differential(name: string, make: () => Check): void {
  it(`${name}: emboard = Node`, () => {
    const c = make();
    const { expected, img } = prepare(c);
    compare(runAll(new EmboardRunner(img), c.calls), expected, c.calls);
  });
  it.skipIf(!unicornAvailable)(`${name}: Unicorn = Node${unicornAvailable ? '' : ` (skipped: ${unicornUnavailableReason()})`}`, () => {
    const c = make();
    const { expected, img } = prepare(c);
    compare(runAll(new UnicornRunner(img), c.calls), expected, c.calls);
  });
}

