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
  /**
   * The byte `transfer` will return next, without side effects — needed by bit-level masters, which shift
   * MISO out before the incoming byte is complete. Slaves without it answer 0xFF to them.
   */
  peek?(): number;
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

export interface SpiPins {
  cs: Pin;
  sck: Pin;
  mosi: Pin;
  miso: Pin;
}

/**
 * Lets a bit-banging master (GPIO outputs, a software SPI) talk to `slave` in SPI mode 0 or 3: MOSI is
 * sampled on SCK rising edges, MISO changes on falling edges (and shows bit 7 as soon as /CS falls), MSB
 * first; MISO is released while /CS is high. Edges while /CS is high are ignored. `source` names the
 * MISO driver on the pin. A hardware SPI peripheral that does not toggle the pins is not seen here.
 */
export function connectSpiPins(pins: SpiPins, slave: SpiSlave, source = 'spi-slave'): void {
  let selected = !pins.cs.level;
  let bits = 0;
  let inByte = 0;
  let outByte = 0xff;
  const drive = () => pins.miso.drive(source, ((outByte >>> (7 - bits)) & 1) === 1);
  const nextByte = () => {
    outByte = slave.peek ? slave.peek() & 0xff : 0xff;
    bits = 0;
    inByte = 0;
    drive();
  };
  if (selected) nextByte();
  pins.cs.onChange((level) => {
    selected = !level;
    if (selected) nextByte();
    else pins.miso.drive(source, null);
  });
  pins.sck.onChange((level) => {
    if (!selected) return;
    if (level) {
      inByte = ((inByte << 1) | (pins.mosi.level ? 1 : 0)) & 0xff;
      if (++bits === 8) {
        slave.transfer(inByte);
        bits = 8; // the next byte is shown on the falling edge
      }
    } else if (bits === 8) nextByte();
    else drive();
  });
}
