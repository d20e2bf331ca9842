/**
 * `emboard run --boot0 --usb-serve`: the system bootloader of a *running* STM32F411 machine, served on the
 * usb-serve socket (./server.ts) for real libusb tools, and what the chip does when the host makes it
 * leave DFU mode.
 *
 * - The DFU device (src/usb/dfu) programs the machine's own internal flash store: every change drops the
 *   decoded instructions of the bytes it touched (`store.invalidate`) and marks the `--flash` state dirty.
 * - While the device waits on the bus, the core sits parked in system memory (WFI, nothing scheduled).
 *   The run must not end there: `idleWait` holds it and lets virtual time follow the wall clock (the DFU
 *   host works in real time, and `--timeout` then still ends a run nobody flashes).
 * - DFU leave (`dfu-util -s 0x08000000:leave`): the device leaves the bus and the chip jumps to the
 *   application as ST's bootloader does (AN2606: peripherals back to their reset state, then MSP from
 *   the application's vector table, PC from its reset vector, VTOR = that table). The reset flags of
 *   RCC_CSR are not changed by a jump: our reset with cause 'pin' only re-adds PINRSTF, which every boot
 *   before it set already.
 * - Once the application runs, nothing is re-plugged. If it later resets the chip (BOOT0 still held), the
 *   core parks in system memory again and the bootloader comes back on the bus.
 * - Option bytes written over DFU go to the flash interface's option bytes; the device then resets
 *   (still in bootloader mode, so a fresh device is plugged for the next host program).
 */
import { join } from 'node:path';
import type { FlashState } from '../../core/flash-state.js';
import { packageRoot } from '../../core/paths.js';
import type { Logger } from '../../core/logger.js';
import type { Machine } from '../../core/machine.js';
import type { PersistentStore } from '../../core/soc.js';
import { createStm32DfuBootloader, type Stm32DfuBootloader } from '../dfu/stm32-bootloader.js';
import { boardUid, dfuFlashStore } from './board-dfu.js';
import { UsbServer } from './server.js';

/** The F411 system memory (ST's bootloader; our parking loop): where a parked bootloader core sits. */
const SYSTEM_MEMORY = { base: 0x1fff_0000, size: 30 * 1024 } as const;
/** Host milliseconds between checks while the parked core waits for the DFU host. */
const IDLE_TICK_MS = 20;
/** Host milliseconds a connected host program gets to finish when the run ends. */
const CLOSE_GRACE_MS = 2000;

export interface MachineDfuOptions {
  machine: Machine;
  /** The run's `--flash` state (null: the flash lives as long as the run). */
  state: FlashState | null;
  socketPath: string;
  log?: Logger;
  /** One-line notices for the user (stderr in `emboard run`). */
  notice?: (line: string) => void;
}

/** What `flash.optionBytes` of the F411 flash interface model looks like from here. */
interface OptionBytesHolder {
  optionBytes: number;
}

function hasOptionBytes(x: unknown): x is OptionBytesHolder {
  return typeof x === 'object' && x !== null && typeof (x as { optionBytes?: unknown }).optionBytes === 'number';
}

export class MachineDfu {
  readonly server: UsbServer;
  private readonly flash: PersistentStore;
  private readonly uid: Uint8Array;
  /** True from DFU leave until the chip is back in its bootloader. */
  private inApplication = false;
  private waiter: (() => void) | null = null;
  private closed = false;
  /** Addresses the device left for, in order (tests, reports). */
  readonly leaves: number[] = [];

  private constructor(private readonly o: MachineDfuOptions) {
    this.flash = dfuFlashStore(o.machine);
    this.uid = boardUid(o.machine);
    this.server = new UsbServer({
      socketPath: o.socketPath,
      log: o.log,
      // Successive host programs find the bootloader again while the chip is still in it.
      plug: () => (this.inApplication || this.closed ? null : this.createDevice()),
      onDetach: () => o.state?.flush(),
    });
  }

  /** Builds the device, plugs it in and listens (UserError if the socket is taken). */
  static async start(o: MachineDfuOptions): Promise<MachineDfu> {
    const d = new MachineDfu(o);
    d.server.attach(d.createDevice());
    await d.server.listen();
    return d;
  }

  get socketPath(): string {
    return this.server.socketPath;
  }

  /** True while the application (not the bootloader) runs. */
  get leftDfu(): boolean {
    return this.inApplication;
  }

  private createDevice(): Stm32DfuBootloader {
    const m = this.o.machine;
    const flashIf = m.soc.devices.get('flash');
    return createStm32DfuBootloader({
      uid: this.uid,
      flash: {
        bytes: this.flash.bytes,
        written: (offset, length) => {
          this.flash.invalidate?.(offset, length);
          this.o.state?.markDirty(this.flash.name);
        },
      },
      optionBytes: hasOptionBytes(flashIf) ? { get: () => flashIf.optionBytes, set: (v) => (flashIf.optionBytes = v >>> 0) } : undefined,
      onLeave: (address) => this.jumpToApplication(address),
      onReset: () => {
        // Option bytes reloaded: a system reset; BOOT0 is still high, so the bootloader starts again.
        this.o.log?.info('usb-serve: the bootloader reset the chip (option bytes)');
        m.reset('software');
        this.wake();
      },
    });
  }

  /** What the bootloader does after the manifest of a leave request. */
  private jumpToApplication(address: number): void {
    const m = this.o.machine;
    this.inApplication = true;
    this.leaves.push(address >>> 0);
    this.o.state?.flush();
    const hex = `0x${(address >>> 0).toString(16).padStart(8, '0')}`;
    this.o.notice?.(`emboard run: the device left DFU mode${this.o.state ? `; flash saved to ${this.o.state.path}` : ''}; starting the application at ${hex}`);
    // Runs from the socket handler, between slices of the run loop (never inside an instruction).
    m.reset('pin');
    m.cpu.exc.vtor = address >>> 0;
    m.cpu.reset();
    this.wake();
  }

  /**
   * For the run loop when the core sleeps with nothing scheduled: while the chip is in its bootloader,
   * a promise that resolves after a short wall-clock tick (virtual time advanced by as much), on DFU
   * leave, or on close; null once the application runs (then the caller's own idle rule applies).
   */
  idleWait(): Promise<void> | null {
    if (this.closed) return null;
    if (this.inApplication && this.inSystemMemory()) {
      // The application reset the chip with BOOT0 high: the bootloader is back.
      this.inApplication = false;
      this.o.notice?.('emboard run: the chip is in its bootloader again; the DFU device is back on the bus');
    }
    if (this.inApplication) return null;
    const m = this.o.machine;
    return new Promise<void>((resolve) => {
      const started = performance.now();
      const done = () => {
        clearTimeout(timer);
        this.waiter = null;
        // The parked bootloader's time passes like the host's (only when it is still parked).
        if (!this.inApplication && m.cpu.sleeping) m.cpu.cycles += Math.round(((performance.now() - started) / 1000) * m.hz);
        resolve();
      };
      const timer = setTimeout(done, IDLE_TICK_MS);
      this.waiter = done;
    });
  }

  private inSystemMemory(): boolean {
    const pc = this.o.machine.cpu.pc >>> 0;
    return pc >= SYSTEM_MEMORY.base && pc < SYSTEM_MEMORY.base + SYSTEM_MEMORY.size;
  }

  private wake(): void {
    this.waiter?.();
  }

  /**
   * Stops serving: removes the socket. A host program still connected (dfu-util's last reset/close calls
   * after the leave, while a short application already ended the run) gets up to `graceMs` to finish.
   */
  async close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    const until = performance.now() + graceMs;
    while (this.server.clientCount > 0 && performance.now() < until) await new Promise((r) => setTimeout(r, 10));
    await this.server.close();
  }
}

/** Quotes a path for a POSIX shell line only when it needs it. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The line a user pastes into the shell that runs dfu-util (same as `emboard usb-serve` prints). */
export function shimExportLine(socketPath: string): string {
  return `export LD_PRELOAD=${shellWord(join(packageRoot(), 'tools', 'libusb-shim', 'libusb-shim.so'))} EMBOARD_USB=${shellWord(socketPath)}`;
}
