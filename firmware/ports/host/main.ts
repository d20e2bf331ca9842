// The host port: the VM compiled to WebAssembly and driven from Node (firmware/ports/host/node/).
// The host writes input into a buffer from inputBuffer() and calls replFeed()/runScript().
import { heapInit, memFree, memAlloc, heapSize, collect, setGcStress } from '../../py/obj';
import { vmInit, setMaxDepth } from '../../py/vm';
import { builtinsInit } from '../../py/builtins';
import { execSource, replBanner, replFeed, setEcho } from '../../py/repl';

let inBuf: usize = 0;
let inCap: i32 = 0;

/** Sets up a heap of `heapBytes` and a value stack of `stackValues` slots. */
export function init(heapBytes: i32, stackValues: i32, maxDepth: i32): void {
  heapInit(<usize>heapBytes, stackValues);
  vmInit();
  builtinsInit();
  setMaxDepth(maxDepth);
}

/** A buffer of at least `n` bytes the host copies input into before calling runScript/replFeed. */
export function inputBuffer(n: i32): usize {
  if (n > inCap) {
    if (inBuf) heap.free(inBuf);
    inBuf = heap.alloc(<usize>n + 1);
    inCap = n;
  }
  return inBuf;
}

/** Runs `n` bytes of source from the input buffer as __main__; returns the exit status. */
export function runScript(n: i32, nameLen: i32): i32 {
  const name = String.UTF8.decodeUnsafe(inBuf + <usize>n, <usize>nameLen);
  const r = execSource(inBuf, n, name, false);
  return r & 0x100 ? r & 0xff : r;
}

export function replStart(echo: bool): void {
  setEcho(echo);
  replBanner();
}

/** Feeds `n` input bytes to the REPL; non-zero (0x100 | status) when it ends. */
export function replInput(n: i32): i32 {
  return replFeed(inBuf, n);
}

/** Test aid: collect before every allocation (finds objects the VM forgot to root). */
export function gcStress(on: bool): void {
  setGcStress(on);
}

export function gcStats(which: i32): i32 {
  if (which == 0) return <i32>memAlloc();
  if (which == 1) return <i32>memFree();
  if (which == 2) return <i32>heapSize();
  collect();
  return 0;
}

import { tokenize } from '../../py/lexer';
import { consoleWrite } from '../../py/hal';
/** Debug aid: prints the token kinds of the input buffer's first `n` bytes. */
export function debugTokens(n: i32): void {
  const t = tokenize(inBuf, n);
  let s = '';
  for (let i = 0; i < t.kind.length; i++) s += t.kind[i].toString() + '@' + t.line[i].toString() + ' ';
  s += t.error + '\n';
  const b = String.UTF8.encode(s);
  consoleWrite(changetype<usize>(b), b.byteLength);
}

import { nTemp } from '../../py/obj';
/** Debug aid: the temporary-root stack depth (0 between top-level runs unless something leaks). */
export function tempDepth(): i32 {
  return nTemp;
}
