// The host interface: the only functions the VM imports. The host build (Node) implements them in JS; on
// the boards the port's HAL implements them (UART, SysTick) and issue 7's MMIO intrinsics join them here.

/** Writes `len` bytes at `ptr` to the console (stdout of the host build, the REPL UART on a board). */
export declare function consoleWrite(ptr: usize, len: i32): void;
/** Writes `len` bytes at `ptr` to the error stream (tracebacks of `emboard py script.py`). */
export declare function errorWrite(ptr: usize, len: i32): void;
/** Milliseconds since an arbitrary start (time.ticks_ms, time.time on the host). */
export declare function ticksMs(): f64;
