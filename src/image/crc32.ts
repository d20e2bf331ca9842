/**
 * CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320). `crc32` is the usual checksum (zlib, `crc32`
 * command); the DFU suffix stores the register without the final inversion (`dfuCrc`), which is what
 * `dfu-suffix` writes and checks.
 */
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** Runs the CRC register over `data` starting from `crc` (no pre/post inversion). */
export function crc32Update(crc: number, data: Uint8Array): number {
  let c = crc >>> 0;
  for (let i = 0; i < data.length; i++) c = TABLE[(c ^ data[i]!) & 0xff]! ^ (c >>> 8);
  return c >>> 0;
}

/** Standard CRC-32 (`crc32` of zlib): init 0xFFFFFFFF, final inversion. */
export function crc32(data: Uint8Array): number {
  return ~crc32Update(0xffffffff, data) >>> 0;
}

/** The DFU suffix CRC: init 0xFFFFFFFF, no final inversion. */
export function dfuCrc(data: Uint8Array): number {
  return crc32Update(0xffffffff, data);
}
