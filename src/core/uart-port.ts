/**
 * The host-facing side of a guest UART: a byte stream with a label ("uart0", "usart2").
 * The UART model calls `transmit` for every byte the guest sends and pulls received bytes with
 * `takeRx`; backends (stdio, PTY, TCP, files, tests) call `inject` and subscribe with `onTransmit`.
 * Flow is byte-at-a-time so a model can honour its baud rate in virtual time.
 */
export type ByteListener = (byte: number) => void;

export class UartPort {
  private readonly listeners: ByteListener[] = [];
  private readonly rx: number[] = [];
  private rxHead = 0;
  /** Called by the machine/model when RX data arrives so the UART can raise RXNE etc. */
  onRxAvailable: (() => void) | null = null;
  /**
   * True when host bytes arrive one frame apart as on a wire (the serial session's paced input): a model
   * may then lose a byte the guest has not read in time (overrun). False (default: direct injection,
   * `--uart-instant`): the sender is flow-controlled and bytes wait here until the model takes them.
   */
  rxPaced = false;

  constructor(readonly label: string) {}

  // guest → host
  transmit(byte: number): void {
    for (const l of this.listeners) l(byte & 0xff);
  }
  onTransmit(listener: ByteListener): () => void {
    this.listeners.push(listener);
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i >= 0) this.listeners.splice(i, 1);
    };
  }

  // host → guest
  inject(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    for (const b of bytes) this.rx.push(b);
    if (bytes.length && this.onRxAvailable) this.onRxAvailable();
  }
  get rxPending(): number {
    return this.rx.length - this.rxHead;
  }
  /** Next received byte, or -1 when none. */
  takeRx(): number {
    if (this.rxHead >= this.rx.length) return -1;
    const b = this.rx[this.rxHead++]!;
    if (this.rxHead > 4096 && this.rxHead * 2 > this.rx.length) {
      this.rx.splice(0, this.rxHead);
      this.rxHead = 0;
    }
    return b;
  }
}
