/**
 * USB DFU 1.1 class constants (DFU 1.1 §3, §6.1.2 tables) shared by the device model and our hosts.
 */

/** Class-specific requests (DFU 1.1 table 3.2). */
export const DfuRequest = {
  DETACH: 0,
  DNLOAD: 1,
  UPLOAD: 2,
  GETSTATUS: 3,
  CLRSTATUS: 4,
  GETSTATE: 5,
  ABORT: 6,
} as const;

/** bState values (DFU 1.1 §6.1.2). */
export const DfuState = {
  appIDLE: 0,
  appDETACH: 1,
  dfuIDLE: 2,
  dfuDNLOAD_SYNC: 3,
  dfuDNBUSY: 4,
  dfuDNLOAD_IDLE: 5,
  dfuMANIFEST_SYNC: 6,
  dfuMANIFEST: 7,
  dfuMANIFEST_WAIT_RESET: 8,
  dfuUPLOAD_IDLE: 9,
  dfuERROR: 10,
} as const;

/** bStatus values (DFU 1.1 §6.1.2). */
export const DfuStatus = {
  OK: 0x00,
  errTARGET: 0x01,
  errFILE: 0x02,
  errWRITE: 0x03,
  errERASE: 0x04,
  errCHECK_ERASED: 0x05,
  errPROG: 0x06,
  errVERIFY: 0x07,
  errADDRESS: 0x08,
  errNOTDONE: 0x09,
  errFIRMWARE: 0x0a,
  errVENDOR: 0x0b,
  errUSBR: 0x0c,
  errPOR: 0x0d,
  errUNKNOWN: 0x0e,
  errSTALLEDPKT: 0x0f,
} as const;

/** DfuSe command bytes (ST AN3156 §6): the first byte of a DNLOAD with wBlockNum 0. */
export const DfuSeCommand = {
  GET_COMMANDS: 0x00,
  SET_ADDRESS_POINTER: 0x21,
  ERASE: 0x41,
  READ_UNPROTECT: 0x92,
} as const;

/** bmRequestType values for DFU class requests to interface 0. */
export const DFU_OUT = 0x21;
export const DFU_IN = 0xa1;

/** The 6-byte GETSTATUS answer (DFU 1.1 §6.1.2). */
export interface DfuStatusReport {
  readonly status: number;
  /** Milliseconds the host waits before its next GETSTATUS. */
  readonly pollTimeout: number;
  readonly state: number;
  readonly iString: number;
}

export function parseStatusReport(d: Uint8Array): DfuStatusReport {
  return { status: d[0]!, pollTimeout: d[1]! | (d[2]! << 8) | (d[3]! << 16), state: d[4]!, iString: d[5]! };
}
