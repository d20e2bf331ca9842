// Object model and the garbage-collected heap (see docs/vm.md).
//
// A value is an i32. Small ints are tagged (low bit 1, 31-bit signed payload); None/False/True and a few
// internal markers are immediates with low bits 10; everything else is the address of a heap object whose
// first word is its header: bits 0-7 type, bit 8 mark, bits 9-31 block size in 8-byte units. Value fields
// of an object come first (the marker scans them), raw words after them.

export type V = i32;

export const NULL: V = 0; // "an exception is pending" as a return value; "absent" in a field
export const NONE: V = 2;
export const FALSE: V = 6;
export const TRUE: V = 10;
export const DELETED: V = 14; // dict tombstone
export const UNBOUND: V = 18; // local not yet assigned
export const STOP: V = 22; // iterator exhausted (internal, never visible)

// Type ids (the header's low byte).
export const T_FREE: i32 = 0;
export const T_RAW: i32 = 1; // block of values
export const T_BRAW: i32 = 2; // block of bytes, not scanned
export const T_BIG: i32 = 3;
export const T_FLOAT: i32 = 4;
export const T_STR: i32 = 5;
export const T_BYTES: i32 = 6;
export const T_BYTEARRAY: i32 = 7;
export const T_TUPLE: i32 = 8;
export const T_LIST: i32 = 9;
export const T_DICT: i32 = 10;
export const T_RANGE: i32 = 11;
export const T_FUNC: i32 = 12;
export const T_CODE: i32 = 13;
export const T_CELL: i32 = 14;
export const T_BOUND: i32 = 15;
export const T_NATIVE: i32 = 16;
export const T_CLASS: i32 = 17;
export const T_INST: i32 = 18;
export const T_ITER: i32 = 19;
export const T_SLICE: i32 = 20;
export const T_MODULE: i32 = 21;
export const T_SET: i32 = 22;
export const T_PROPERTY: i32 = 23;
export const T_STATICMETHOD: i32 = 24;
export const T_CLASSMETHOD: i32 = 25;
// Pseudo type ids for immediates (never in a header).
export const T_INT: i32 = 26;
export const T_NONE: i32 = 27;
export const T_BOOL: i32 = 28;
export const T_GEN: i32 = 29; // generator (fn, saved frame; ip, stack count, state, block count)
export const T_COUNT: i32 = 30;

// Number of leading value fields after the header, per type; -1: variable (see markChildren).
const VALUE_FIELDS: StaticArray<i32> = [
  0, -1, 0, 0, 0, 0, 0, 1, -1, 1, 2, 0, 6, 8, 1, 2, 2, 4, 3, 2, 3, 2, 2, 3, 1, 1, 0, 0, 0, 2,
];

// ---------------------------------------------------------------------------------------------------------
// Heap

export let heapStart: usize = 0;
export let heapEnd: usize = 0;
let freeList: usize = 0; // free blocks linked through their word at +4
let allocated: usize = 0; // bytes in live (non-free) blocks
export let gcCollections: i32 = 0;
export let gcEnabled: bool = true;

// Roots besides the value stack: fixed slots (module tables, type objects) and a stack for temporaries.
const ROOT_SLOTS: i32 = 512;
let roots: usize = 0;
let nRoots: i32 = 0;
const TEMP_ROOTS: i32 = 4096;
let tempRoots: usize = 0;
export let nTemp: i32 = 0;

// The VM value stack lives outside the heap and is scanned up to vsp.
export let vstack: usize = 0;
export let vstackEnd: usize = 0;
export let vsp: usize = 0;
export function setVsp(p: usize): void {
  vsp = p;
}

const MARK_STACK: i32 = 1024;
let markStack: usize = 0;
let markTop: i32 = 0;
let markOverflow: bool = false;

export function heapInit(heapBytes: usize, stackValues: i32): void {
  const size = (heapBytes + 7) & ~7;
  const raw = heap.alloc(size + 8);
  heapStart = (raw + 7) & ~7;
  heapEnd = heapStart + size;
  store<u32>(heapStart, T_FREE | ((size >> 3) << 9));
  store<u32>(heapStart + 4, 0);
  freeList = heapStart;
  allocated = 0;
  roots = heap.alloc(ROOT_SLOTS * 4);
  memory.fill(roots, 0, ROOT_SLOTS * 4);
  tempRoots = heap.alloc(TEMP_ROOTS * 4);
  vstack = heap.alloc(stackValues * 4);
  vstackEnd = vstack + stackValues * 4;
  vsp = vstack;
  markStack = heap.alloc(MARK_STACK * 4);
}

export function typeOf(v: V): i32 {
  if (v & 1) return T_INT;
  if (v & 2) return v == NONE ? T_NONE : T_BOOL;
  return <i32>load<u8>(v);
}

export function blockSize(p: usize): usize {
  return (<usize>(load<u32>(p) >> 9)) << 3;
}

/** Allocates a block of at least `bytes` (header included) with type `t`, zero-filled; 0 when the heap is full. */
export function alloc(t: i32, bytes: usize): V {
  const need = (bytes + 7) & ~7;
  if (gcStress && gcEnabled) collect();
  let p = takeFree(need);
  if (p == 0 && gcEnabled) {
    collect();
    p = takeFree(need);
  }
  if (p == 0) return NULL;
  store<u32>(p, <u32>t | (<u32>(gotSize >> 3) << 9));
  memory.fill(p + 4, 0, gotSize - 4);
  allocated += gotSize;
  return <V>p;
}

let gotSize: usize = 0;

function takeFree(need: usize): usize {
  let prev: usize = 0;
  let p = freeList;
  while (p != 0) {
    const size = blockSize(p);
    const next = load<u32>(p + 4);
    if (size >= need) {
      const rest = size - need;
      if (rest >= 16) {
        const q = p + need;
        store<u32>(q, T_FREE | (<u32>(rest >> 3) << 9));
        store<u32>(q + 4, next);
        if (prev) store<u32>(prev + 4, q);
        else freeList = q;
        gotSize = need;
      } else {
        if (prev) store<u32>(prev + 4, next);
        else freeList = next;
        gotSize = size; // too small to split: the slack stays inside this block
      }
      return p;
    }
    prev = p;
    p = next;
  }
  return 0;
}

export function memAlloc(): usize {
  return allocated;
}
export function memFree(): usize {
  return heapEnd - heapStart - allocated;
}
export function heapSize(): usize {
  return heapEnd - heapStart;
}

export function addRoot(v: V): i32 {
  const i = nRoots++;
  store<i32>(roots + (<usize>i << 2), v);
  return i;
}
export function setRoot(i: i32, v: V): void {
  store<i32>(roots + (<usize>i << 2), v);
}
export function getRoot(i: i32): V {
  return load<i32>(roots + (<usize>i << 2));
}
export function pushTemp(v: V): V {
  store<i32>(tempRoots + (<usize>nTemp << 2), v);
  nTemp++;
  return v;
}
export function popTemp(n: i32): void {
  nTemp -= n;
}
export function setTempTop(n: i32): void {
  nTemp = n;
}

function isHeap(v: V): bool {
  return (v & 3) == 0 && <usize>v >= heapStart && <usize>v < heapEnd;
}

function markValue(v: V): void {
  if (!isHeap(v)) return;
  const h = load<u32>(v);
  if (h & 0x100) return;
  store<u32>(v, h | 0x100);
  if (markTop < MARK_STACK) {
    store<i32>(markStack + (<usize>markTop << 2), v);
    markTop++;
  } else markOverflow = true;
}

function markChildren(p: usize): void {
  const t = <i32>load<u8>(p);
  let n = VALUE_FIELDS[t];
  let first: usize = 4;
  if (n < 0) {
    if (t == T_RAW) n = <i32>((blockSize(p) - 4) >> 2);
    else {
      n = load<i32>(p + 4); // tuple length
      first = 8;
    }
  }
  for (let i = 0; i < n; i++) markValue(load<i32>(p + first + (<usize>i << 2)));
}

function drainMarkStack(): void {
  while (markTop > 0) {
    markTop--;
    markChildren(load<i32>(markStack + (<usize>markTop << 2)));
  }
}

export function collect(): void {
  gcCollections++;
  markTop = 0;
  markOverflow = false;
  for (let i = 0; i < nRoots; i++) {
    markValue(load<i32>(roots + (<usize>i << 2)));
    drainMarkStack();
  }
  for (let i = 0; i < nTemp; i++) {
    markValue(load<i32>(tempRoots + (<usize>i << 2)));
    drainMarkStack();
  }
  for (let p = vstack; p < vsp; p += 4) {
    markValue(load<i32>(p));
    drainMarkStack();
  }
  // The mark stack overflowed: rescan the heap for marked objects until no new object gets marked.
  while (markOverflow) {
    markOverflow = false;
    for (let p = heapStart; p < heapEnd; p += blockSize(p)) {
      if (load<u32>(p) & 0x100 && <i32>load<u8>(p) != T_FREE) {
        markChildren(p);
        drainMarkStack();
      }
    }
  }
  sweep();
}

function sweep(): void {
  freeList = 0;
  let tail: usize = 0;
  allocated = 0;
  let p = heapStart;
  while (p < heapEnd) {
    const h = load<u32>(p);
    const size = blockSize(p);
    if (<i32>(h & 0xff) != T_FREE && h & 0x100) {
      store<u32>(p, h & ~0x100);
      allocated += size;
      p += size;
      continue;
    }
    // Coalesce this dead or free block with every following dead or free one.
    let end = p + size;
    while (end < heapEnd) {
      const h2 = load<u32>(end);
      if (<i32>(h2 & 0xff) != T_FREE && h2 & 0x100) break;
      end += blockSize(end);
    }
    store<u32>(p, T_FREE | (<u32>((end - p) >> 3) << 9));
    store<u32>(p + 4, 0);
    if (tail) store<u32>(tail + 4, p);
    else freeList = p;
    tail = p;
    p = end;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Small helpers shared by every module

export function isSmall(v: V): bool {
  return (v & 1) != 0;
}
export function smallVal(v: V): i32 {
  return v >> 1;
}
export function mkSmall(n: i32): V {
  return (n << 1) | 1;
}
export function fitsSmall(n: i64): bool {
  return n >= -0x40000000 && n <= 0x3fffffff;
}
export function mkBool(b: bool): V {
  return b ? TRUE : FALSE;
}
export function field(o: V, i: i32): V {
  return load<i32>(<usize>o + 4 + (<usize>i << 2));
}
export function setField(o: V, i: i32, v: V): void {
  store<i32>(<usize>o + 4 + (<usize>i << 2), v);
}
/** Test aid: a full collection before every allocation, so a missing root shows up at once. */
let gcStress = false;
export function setGcStress(on: bool): void {
  gcStress = on;
}
export function setGcEnabled(on: bool): void {
  gcEnabled = on;
}
