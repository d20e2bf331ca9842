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
}

/** Why a system reset happens (the STM32 RCC_CSR flags tell firmware which one it was). */
export type ResetCause = 'power-on' | 'pin' | 'software' | 'independent-watchdog' | 'window-watchdog' | 'low-power';

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
}

export type SocFactory = (ctx: SocContext, options: Readonly<Record<string, unknown>>) => SocInstance;
