/**
 * What `emboard usb-serve --board B --flash FILE` puts on the bus: board B's STM32 system bootloader in
 * DFU mode (src/usb/dfu) over the board's internal flash, kept in the `--flash` state file.
 *
 * The board's machine is built (not run) so the flash store, its sector map and the chip's unique ID (the
 * serial-number string) are the board's own. Every re-plug creates a fresh bootloader over the same flash
 * bytes, as resetting the board with BOOT0 held does.
 */
import { Machine } from '../../core/machine.js';
import { UserError } from '../../core/errors.js';
import { openFlashState, type FlashState } from '../../core/flash-state.js';
import type { Logger } from '../../core/logger.js';
import type { PersistentStore } from '../../core/soc.js';
import { createStm32DfuBootloader, F411_FLASH_BASE, F411_FLASH_SIZE, type Stm32DfuBootloader } from '../dfu/stm32-bootloader.js';

/** Where the F411 keeps its 96-bit unique ID (RM0383 §24.1). */
const UID_ADDRESS = 0x1fff_7a10;

/**
 * The board's internal flash store, which the DFU bootloader programs; a one-line UserError for boards
 * without the F411's system bootloader.
 */
export function dfuFlashStore(machine: Machine): PersistentStore {
  const board = machine.board;
  if (board.soc !== 'stm32f411') throw new UserError(`--board ${board.name}: no emulated USB DFU bootloader for SoC '${board.soc}' (STM32F411 boards only)`);
  const flash = machine.soc.persistentStores?.().find((s) => s.name === 'flash');
  if (!flash || flash.size !== F411_FLASH_SIZE || (flash.base ?? F411_FLASH_BASE) !== F411_FLASH_BASE) {
    throw new UserError(`--board ${board.name}: its internal flash is not the F411's 512 KiB at 0x08000000`);
  }
  return flash;
}

/** The chip's 96-bit unique ID, from which the bootloader's serial-number string derives. */
export function boardUid(machine: Machine): Uint8Array {
  return machine.bus.readBytes(UID_ADDRESS, 12);
}

export interface BoardDfuOptions {
  board: string;
  /** The `--flash` state file; without one the flash lives only as long as the server. */
  flashPath?: string;
  log?: Logger;
  /** Host milliseconds between a flash change and its write to the state file. */
  debounceMs?: number;
}

export class BoardDfu {
  readonly machine: Machine;
  readonly flash: PersistentStore;
  readonly state: FlashState | null;
  private readonly uid: Uint8Array;

  constructor(o: BoardDfuOptions) {
    this.machine = new Machine({ board: o.board, log: o.log });
    this.flash = dfuFlashStore(this.machine);
    this.state = o.flashPath === undefined ? null : openFlashState(o.flashPath, this.machine.soc, { log: o.log, debounceMs: o.debounceMs });
    // A new state file is written at once, so the user sees it even before the first download.
    if (this.state?.created) {
      this.state.markAllDirty();
      this.state.flush();
    }
    this.uid = boardUid(this.machine);
  }

  /** A fresh bootloader over the board's flash (each plug-in). */
  createDevice(): Stm32DfuBootloader {
    return createStm32DfuBootloader({
      uid: this.uid,
      flash: {
        bytes: this.flash.bytes,
        written: (offset, length) => {
          this.flash.invalidate?.(offset, length);
          this.state?.markDirty('flash');
        },
      },
    });
  }

  /** Writes pending flash changes now (the device left the bus, the server stops). */
  flush(): void {
    this.state?.flush();
  }

  close(): void {
    this.state?.close();
  }
}
