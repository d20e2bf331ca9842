/**
 * What a SoC model gets when a machine is built: the bus to map its memories and peripherals on, the
 * scheduler for anything that takes time, the interrupt controller for its IRQ lines, a logger, and a
 * factory for the host-facing UART ports. A SoC factory is registered by name in src/soc/index.ts and
 * selected by the board file's "soc" field.
 */
import type { Bus } from './bus.js';
import type { InterruptController } from './irq.js';
import type { Logger } from './logger.js';
import type { Scheduler } from './scheduler.js';
import type { UartPort } from './uart-port.js';

export interface SocContext {
  readonly bus: Bus;
  readonly scheduler: Scheduler;
  readonly irq: InterruptController;
  readonly log: Logger;
  /** CPU clock in Hz (cycles per virtual second), from the board file. */
  readonly cpuHz: number;
  /** Creates (once) the port for a UART; the label is how users name it (`--serial uart0=...`). */
  uart(label: string): UartPort;
  /**
   * Resets the whole machine (SoC with `cause`, then the core) as a watchdog does. Call it between
   * instructions (from a scheduler event), never from inside a register access.
   */
  requestSystemReset?(cause: ResetCause): void;
  /** The core's event input (Cortex-M RXEV): sets the event register, so a WFE wakes or does not sleep. */
  signalEvent?(): void;
}

/**
 * Why a system reset happens (the STM32 RCC_CSR flags tell firmware which one it was). 'standby-wakeup':
 * the core leaves a powered-down deep sleep (STM32 Standby) through a wake-up event.
 */
export type ResetCause =
  | 'power-on'
  | 'pin'
  | 'software'
  | 'independent-watchdog'
  | 'window-watchdog'
  | 'low-power'
  | 'standby-wakeup';

export interface SocInstance {
  /** Address of the vector table at reset (VTOR reset value / boot alias). */
  readonly resetVectorBase: number;
  /** Devices by name, for tests, traces and the debugger. */
  readonly devices: ReadonlyMap<string, unknown>;
  /** Resets peripherals to their reset state (system reset); `cause` feeds reset flags such as RCC_CSR (default 'pin'). */
  reset(cause?: ResetCause): void;
  /**
   * Virtual time in seconds, for SoCs whose core clock changes at run time (scheduler cycles are core
   * cycles, so seconds integrate over clock changes). Absent: cycles / board cpuHz.
   */
  virtualSeconds?(): number;
  /** The core clock now, in Hz. Absent: the board's cpuHz. */
  currentHz?(): number;
  /** Non-volatile memories `--flash FILE` persists (absent or empty: nothing to persist). */
  persistentStores?(): readonly PersistentStore[];
  /**
   * The core went to sleep (WFI, WFE or sleep-on-exit) with SCB_SCR.SLEEPDEEP set; called once per such
   * sleep, before virtual time advances. Return 'powered-down' when the core is off (STM32 Standby): then
   * no interrupt wakes it, only a system reset (`requestSystemReset`, the reset pin) does.
   */
  deepSleep?(): 'powered-down' | 'clock-stopped' | undefined;
  /**
   * While a 'clock-stopped' deep sleep lasts (STM32 Stop: the core clock and SysTick are stopped), pending
   * interrupts wake the core only once this returns true (an EXTI line is pending); then as usual.
   */
  deepSleepWakeup?(): boolean;
  /** The core woke from a deep sleep that was not 'powered-down' (an interrupt or event), before its next instruction. */
  deepWake?(): void;
}

/**
 * Non-volatile memory the SoC or a board device owns (internal flash, an external SPI NOR flash) that
 * `--flash FILE` keeps between runs. The owner calls the change listeners after every program/erase so the
 * state file can be rewritten (atomically) without polling.
 */
export interface PersistentStore {
  /** Stable name used in the state file ("flash" for internal flash, "spi-flash" for the W25Q chip). */
  readonly name: string;
  /** Its contents; the owner never replaces the array, so a loader may fill it before the run. */
  readonly bytes: Uint8Array;
  /** Size in bytes (bytes.length may be larger, e.g. Storage's slack). */
  readonly size: number;
  /** Erased value (0xFF for NOR flash). */
  readonly erasedValue: number;
  /** Bus address of byte 0 when the memory is mapped (internal flash); absent for off-chip memories. */
  readonly base?: number;
  /** Erase granularity (offset/size from byte 0, ascending, covering `size`), for `emboard erase`/`flash`. */
  readonly sectors?: readonly { readonly offset: number; readonly size: number }[];
  /** Tells the owner that `bytes` were replaced from outside (state file, flash tool): drop decode caches. */
  invalidate?(offset: number, length: number): void;
  onChange(listener: (offset: number, length: number) => void): void;
}

export type SocFactory = (ctx: SocContext, options: Readonly<Record<string, unknown>>) => SocInstance;
