/**
 * What a board attaches to an I2C bus: a target (slave) device seen at byte level. The controller model
 * calls `start` when the master addresses the device (after a START or repeated START with its 7-bit
 * address), then `write` for each byte the master sends (the return value is the ACK) or `read` for
 * each byte it receives, and `stop` on a STOP condition. A device that returns false from `start` NACKs
 * its address, as a busy EEPROM does.
 */
export interface I2cDevice {
  /** 7-bit address. */
  readonly address: number;
  /** Addressed with the R/W bit `read`; false = NACK. */
  start(read: boolean): boolean;
  /** A byte from the master; true = ACK. */
  write(byte: number): boolean;
  /** The next byte for the master. */
  read(): number;
  /** STOP condition on the bus. */
  stop(): void;
}
