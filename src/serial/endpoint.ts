/**
 * What a serial backend talks to: a labelled byte stream on the guest side. A UART's `UartPort` is one;
 * a USB CDC ACM function will be another (same interface: bytes the guest sends, bytes the host injects),
 * so every backend (stdio, pty, tcp, file) and the scripting layer work unchanged for it.
 */
export interface SerialEndpoint {
  readonly label: string;
  /** Host → guest bytes (queued; the device model takes them at its own pace). */
  inject(data: Uint8Array): void;
  /** Guest → host bytes, one call per byte; returns an unsubscribe function. */
  onTransmit(listener: (byte: number) => void): () => void;
  /** Set by the session: host bytes come one frame apart (a UART may overrun) or all at once (flow-controlled). */
  rxPaced?: boolean;
}
