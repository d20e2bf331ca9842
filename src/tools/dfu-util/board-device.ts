/**
 * The emulated USB bus behind `emboard dfu-util --board B --flash FILE`: board B's STM32 system bootloader
 * in DFU mode (src/usb/dfu) over the board's internal flash, loaded from and saved to the `--flash` state
 * file (src/core/flash-state.ts). The board's machine is built (not run) so the flash size, sector map and
 * the chip's unique ID (the serial-number string) are the board's own. The state file is written only
 * when the bootloader changed the flash, so a failed command leaves it byte-for-byte as it was.
 */
import { UserError } from '../../core/errors.js';
import { type FlashState, openFlashState } from '../../core/flash-state.js';
import { Machine } from '../../core/machine.js';
import type { PersistentStore } from '../../core/soc.js';
import { createStm32DfuBootloader, F411_FLASH_BASE, F411_FLASH_SIZE, FACTORY_OPTION_BYTES, type Stm32DfuBootloader } from '../../usb/dfu/stm32-bootloader.js';
import type { AttachedDevice } from './usb-host.js';

const UID_ADDRESS = 0x1fff_7a10;

export interface BoardBusOptions {
  board: string;
  flashPath?: string;
  /** Sectors to treat as write-protected (nWRP bit clear) for this session. */
  protectSectors?: readonly number[];
}

/** Where libusb would see the device: bus 1, port 1 (path "1-1"), address 2 (the first after the hub). */
export const EMULATED_LOCATION = { busNumber: 1, devnum: 2, path: '1-1' } as const;

export class BoardBus {
  private machine: Machine | null = null;
  private flash: PersistentStore | null = null;
  private state: FlashState | null = null;
  private dirty = false;
  private device: Stm32DfuBootloader | null = null;
  /** Where the device jumped on leave (for -v and tests). */
  leftTo: number | null = null;

  constructor(private readonly o: BoardBusOptions) {}

  /** Builds the board and its bootloader on first use (dfu-util probes only after checking its file). */
  devices(): AttachedDevice[] {
    if (!this.device) this.device = this.create();
    return [{ device: this.device, ...EMULATED_LOCATION }];
  }

  private create(): Stm32DfuBootloader {
    const machine = new Machine({ board: this.o.board });
    this.machine = machine;
    const board = machine.board;
    if (board.soc !== 'stm32f411') throw new UserError(`--board ${board.name}: no emulated USB DFU bootloader for SoC '${board.soc}' (STM32F411 boards only)`);
    const flash = machine.soc.persistentStores?.().find((s) => s.name === 'flash');
    if (!flash || flash.size !== F411_FLASH_SIZE || (flash.base ?? F411_FLASH_BASE) !== F411_FLASH_BASE) {
      throw new UserError(`--board ${board.name}: its internal flash is not the F411's 512 KiB at 0x08000000`);
    }
    this.flash = flash;
    if (this.o.flashPath !== undefined) this.state = openFlashState(this.o.flashPath, machine.soc);
    let optionBytes = FACTORY_OPTION_BYTES;
    for (const s of this.o.protectSectors ?? []) optionBytes &= ~(1 << (16 + s));
    return createStm32DfuBootloader({
      uid: machine.bus.readBytes(UID_ADDRESS, 12),
      optionBytes: { get: () => optionBytes, set: (v) => (optionBytes = v) },
      flash: {
        bytes: flash.bytes,
        written: (offset, length) => {
          flash.invalidate?.(offset, length);
          this.dirty = true;
        },
      },
      onLeave: (address) => (this.leftTo = address),
    });
  }

  /** Saves the flash when the bootloader changed it. */
  close(): void {
    if (this.state && this.dirty) {
      this.state.markDirty('flash');
      this.state.close();
    } else this.state?.close();
    this.dirty = false;
  }

  /** The flash bytes (tests). */
  get flashBytes(): Uint8Array | null {
    return this.flash ? this.flash.bytes.subarray(0, F411_FLASH_SIZE) : null;
  }
}
