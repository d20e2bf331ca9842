/**
 * The device side of an SPI bus, board-independent: a master (the STM32 SPI model, a test) selects a slave
 * and exchanges bytes with it, MSB first on the wire. Frames wider than 8 bits are sent as several bytes.
 * Commands of SPI memories end at the chip-select's rising edge, hence `select(false)`.
 */
import type { Pin } from '../core/pins.js';

export interface SpiSlave {
  /** Chip select asserted (true) or released (false). */
  select(active: boolean): void;
  /** One byte clocked in on MOSI while selected; returns the byte driven on MISO at the same time. */
  transfer(byte: number): number;
}

/**
 * Connects a chip-select pin to `slave`: active low (the usual /CS), so the pin's falling edge selects and
 * the rising edge deselects. Returns the "is selected now" query the SPI master uses to address slaves.
 */
export function connectChipSelect(pin: Pin, slave: SpiSlave, activeLow = true): () => boolean {
  const active = () => pin.level !== activeLow;
  let selected = active();
  if (selected) slave.select(true);
  pin.onChange(() => {
    const now = active();
    if (now === selected) return;
    selected = now;
    slave.select(now);
  });
  return () => selected;
}
