/**
 * A 24C02-style 2 Kbit I2C EEPROM (256 bytes, 8-byte pages): the first byte of a write transfer sets the
 * word address, later bytes are stored at it with the address wrapping inside its 8-byte page (as the
 * chip's page buffer does); reads return bytes from the current address, wrapping at 256. Stores are
 * immediate (the 5 ms write cycle, during which the chip NACKs, is not modelled). For tests and boards.
 */
import type { I2cDevice } from './i2c-device.js';

export class Eeprom24c02 implements I2cDevice {
  readonly memory = new Uint8Array(256).fill(0xff);
  private pointer = 0;
  /** Next byte of a write transfer is the word address. */
  private expectAddress = false;

  constructor(readonly address = 0x50) {}

  start(read: boolean): boolean {
    this.expectAddress = !read;
    return true;
  }

  write(byte: number): boolean {
    if (this.expectAddress) {
      this.pointer = byte & 0xff;
      this.expectAddress = false;
    } else {
      this.memory[this.pointer] = byte & 0xff;
      this.pointer = (this.pointer & ~7) | ((this.pointer + 1) & 7);
    }
    return true;
  }

  read(): number {
    const v = this.memory[this.pointer]!;
    this.pointer = (this.pointer + 1) & 0xff;
    return v;
  }

  stop(): void {
    this.expectAddress = false;
  }
}
