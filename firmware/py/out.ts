// A growable byte buffer outside the Python heap, for building repr()/str() text and compiler output.
export class Out {
  ptr: usize = 0;
  len: i32 = 0;
  cap: i32 = 0;

  constructor(cap: i32 = 64) {
    this.cap = cap;
    this.ptr = heap.alloc(<usize>cap);
  }

  free(): void {
    heap.free(this.ptr);
    this.ptr = 0;
  }

  reserve(n: i32): void {
    if (this.len + n <= this.cap) return;
    let c = this.cap * 2;
    while (c < this.len + n) c *= 2;
    this.ptr = heap.realloc(this.ptr, <usize>c);
    this.cap = c;
  }

  byte(b: i32): void {
    this.reserve(1);
    store<u8>(this.ptr + <usize>this.len, <u8>b);
    this.len++;
  }

  bytes(p: usize, n: i32): void {
    this.reserve(n);
    memory.copy(this.ptr + <usize>this.len, p, <usize>n);
    this.len += n;
  }

  /** Appends an AssemblyScript string (ASCII/UTF-8 text of the VM's own messages). */
  str(s: string): void {
    const b = String.UTF8.encode(s);
    this.bytes(changetype<usize>(b), b.byteLength);
  }

  int(n: i64): void {
    this.str(n.toString());
  }

  at(i: i32): i32 {
    return <i32>load<u8>(this.ptr + <usize>i);
  }
}
