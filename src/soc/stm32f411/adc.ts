/**
 * STM32F411 ADC1 (RM0383 §11), base 0x40012000, common registers at +0x300, global interrupt IRQ 18.
 *
 * Inputs: channels 0–15 are the pins PA0–PA7, PB0–PB1, PC0–PC5 at the voltages the board sets (option
 * `adcVolts: {"PA0": 1.65}`, `setPinVoltage` at run time; 0 V otherwise); channel 17 is VREFINT (1.21 V)
 * and channel 18 the temperature sensor (V25 0.76 V, 2.5 mV/°C, 25 °C unless `setTemperature`), both with
 * CCR.TSVREFE; with CCR.VBATE channel 18 reads VBAT/4 instead. VDDA = VREF+ = 3.3 V.
 *
 * Conversions: SWSTART (regular group: SQ1 alone, or SQ1..SQ(L+1) with SCAN; CONT restarts the sequence)
 * and JSWSTART (injected group JSQ(4-JL)..JSQ4 into JDR1.., minus JOFRx). Each conversion takes
 * (sample time SMPx + 12/10/8/6 resolution cycles) of ADCCLK = PCLK2 / (2, 4, 6, 8 per CCR.ADCPRE) in
 * virtual time. EOC after each conversion (EOCS = 1) or each sequence (EOCS = 0), cleared by reading DR;
 * a result while EOC is still set is an overrun (OVR, EOCS = 1 or DMA; the new data still lands in DR).
 * Data: round(V / 3.3 V × 4095) reduced to RES bits, right or left aligned (ALIGN). Analog watchdog
 * (AWDEN, AWDSGL/AWDCH, HTR/LTR) on regular conversions. IRQ 18 = EOC·EOCIE | JEOC·JEOCIE | AWD·AWDIE |
 * OVR·OVRIE. Not modelled: external triggers (EXTEN/JEXTEN: logged once), discontinuous mode, JAUTO, the
 * ADON stabilisation time; DMA requests are offered through `onDmaRequest` (not yet routed to DMA2).
 */
import type { Logger } from '../../core/logger.js';
import { RegisterBank } from '../../core/registers.js';
import type { Scheduler } from '../../core/scheduler.js';
import { warnUnmapped, type IrqOutput } from './device-context.js';

export const ADC1_BASE = 0x4001_2000;
export const ADC_IRQ = 18;
export const VDDA = 3.3;
export const VREFINT_VOLTS = 1.21;
export const TS_V25 = 0.76;
export const TS_SLOPE = 0.0025;
/** Factory calibration addresses (datasheet): raw 12-bit values at VDDA = 3.3 V. */
export const VREFINT_CAL_ADDR = 0x1fff_7a2a;
export const TS_CAL1_ADDR = 0x1fff_7a2c; // 30 °C
export const TS_CAL2_ADDR = 0x1fff_7a2e; // 110 °C

export const ADC_SR = { AWD: 1 << 0, EOC: 1 << 1, JEOC: 1 << 2, JSTRT: 1 << 3, STRT: 1 << 4, OVR: 1 << 5 } as const;
const CR1 = { EOCIE: 1 << 5, AWDIE: 1 << 6, JEOCIE: 1 << 7, SCAN: 1 << 8, AWDSGL: 1 << 9, AWDEN: 1 << 23, OVRIE: 1 << 26 } as const;
const CR2 = { ADON: 1 << 0, CONT: 1 << 1, DMA: 1 << 8, EOCS: 1 << 10, ALIGN: 1 << 11, JSWSTART: 1 << 22, SWSTART: 1 << 30 } as const;
const CCR = { VBATE: 1 << 22, TSVREFE: 1 << 23 } as const;
const SAMPLE_CYCLES = [3, 15, 28, 56, 84, 112, 144, 480] as const;

/** The pin of ADC1_INn for n = 0..15 (STM32F411 datasheet pin table). */
export const ADC_CHANNEL_PINS: readonly string[] = [
  'PA0', 'PA1', 'PA2', 'PA3', 'PA4', 'PA5', 'PA6', 'PA7', 'PB0', 'PB1', 'PC0', 'PC1', 'PC2', 'PC3', 'PC4', 'PC5',
];

/** 12-bit code of a voltage at VDDA = 3.3 V. */
export function adcCode(volts: number): number {
  return Math.max(0, Math.min(4095, Math.round((volts / VDDA) * 4095)));
}

/** Temperature sensor output at `celsius`. */
export function tempSensorVolts(celsius: number): number {
  return TS_V25 + (celsius - 25) * TS_SLOPE;
}

/** The six calibration bytes at 0x1FFF7A2A (VREFINT_CAL, TS_CAL1 at 30 °C, TS_CAL2 at 110 °C), little-endian. */
export function calibrationBytes(): Uint8Array {
  const b = new Uint8Array(6);
  const v = new DataView(b.buffer);
  v.setUint16(0, adcCode(VREFINT_VOLTS), true);
  v.setUint16(2, adcCode(tempSensorVolts(30)), true);
  v.setUint16(4, adcCode(tempSensorVolts(110)), true);
  return b;
}

export interface AdcEnvironment {
  scheduler: Scheduler;
  log: Logger;
  irq: IrqOutput;
  /** PCLK2 in Hz now. */
  pclk2(): number;
  cyclesFor(seconds: number): number;
}

export class Stm32Adc {
  readonly regs: RegisterBank;
  private readonly volts = new Map<number, number>();
  private temperature = 25;
  private vbat = 3.3;
  /** Regular sequence in progress (channel list) and the index of the conversion under way. */
  private regular: number[] = [];
  private regIndex = 0;
  private injected: number[] = [];
  private readonly regEvent;
  private readonly injEvent;
  private readonly warned = new Set<string>();
  /**
   * DMA request output (the DmaRequester shape of dma.ts): 'rx' goes active when a regular result lands in
   * DR while CR2.DMA is set, and inactive when DR is read. Not yet in dma.ts's request table (DMA2 stream
   * 0 or 4, channel 0 on the chip).
   */
  onDmaRequest: ((req: 'tx' | 'rx', active: boolean) => void) | null = null;

  constructor(private readonly env: AdcEnvironment) {
    const specs = [
      { name: 'SR', offset: 0x00, writable: 0, w0c: 0x3f, write: () => this.updateIrq() },
      { name: 'CR1', offset: 0x04, writable: 0x07c0_ffff, write: () => this.updateIrq() },
      { name: 'CR2', offset: 0x08, writable: 0x7f7f_0f03, write: (v: number, old: number) => this.writeCr2(v, old) },
      { name: 'SMPR1', offset: 0x0c, writable: 0x07ff_ffff },
      { name: 'SMPR2', offset: 0x10, writable: 0x3fff_ffff },
      { name: 'JOFR1', offset: 0x14, writable: 0xfff },
      { name: 'JOFR2', offset: 0x18, writable: 0xfff },
      { name: 'JOFR3', offset: 0x1c, writable: 0xfff },
      { name: 'JOFR4', offset: 0x20, writable: 0xfff },
      { name: 'HTR', offset: 0x24, reset: 0xfff, writable: 0xfff },
      { name: 'LTR', offset: 0x28, writable: 0xfff },
      { name: 'SQR1', offset: 0x2c, writable: 0x00ff_ffff },
      { name: 'SQR2', offset: 0x30, writable: 0x3fff_ffff },
      { name: 'SQR3', offset: 0x34, writable: 0x3fff_ffff },
      { name: 'JSQR', offset: 0x38, writable: 0x003f_ffff },
      { name: 'JDR1', offset: 0x3c, writable: 0 },
      { name: 'JDR2', offset: 0x40, writable: 0 },
      { name: 'JDR3', offset: 0x44, writable: 0 },
      { name: 'JDR4', offset: 0x48, writable: 0 },
      { name: 'DR', offset: 0x4c, writable: 0, read: (v: number) => this.readDr(v) },
      // Common registers (one ADC on the F411): CSR mirrors ADC1's SR flags.
      { name: 'CSR', offset: 0x300, writable: 0, read: () => this.regs.get('SR') & 0x3f },
      { name: 'CCR', offset: 0x304, writable: 0x00c3_ef1f },
      { name: 'CDR', offset: 0x308, writable: 0 },
    ];
    this.regs = new RegisterBank('ADC1', specs, { onUnmapped: warnUnmapped(env.log, 'adc1') });
    this.regEvent = env.scheduler.event('adc-regular', () => this.regularDone());
    this.injEvent = env.scheduler.event('adc-injected', () => this.injectedDone());
  }

  read(offset: number, size: 1 | 2 | 4): number {
    return this.regs.read(offset, size);
  }
  write(offset: number, size: 1 | 2 | 4, value: number): void {
    this.regs.write(offset, size, value);
  }

  reset(): void {
    this.regs.reset();
    this.env.scheduler.cancel(this.regEvent);
    this.env.scheduler.cancel(this.injEvent);
    this.regular = [];
    this.injected = [];
    this.env.irq.set(false);
  }

  /** Sets the voltage on an ADC pin ("PA0") or channel number (0–15); throws for other pins. */
  setPinVoltage(pin: string | number, volts: number): void {
    const ch = typeof pin === 'number' ? pin : ADC_CHANNEL_PINS.indexOf(pin.toUpperCase());
    if (ch < 0 || ch > 15) throw new Error(`ADC1: ${pin} is not an ADC1 input (PA0-PA7, PB0-PB1, PC0-PC5)`);
    this.volts.set(ch, volts);
  }

  /** Die temperature the sensor reports (°C). */
  setTemperature(celsius: number): void {
    this.temperature = celsius;
  }

  setVbat(volts: number): void {
    this.vbat = volts;
  }

  /** Voltage on channel `ch` now. */
  channelVolts(ch: number): number {
    if (ch <= 15) return this.volts.get(ch) ?? 0;
    const ccr = this.regs.get('CCR');
    if (ch === 17) return ccr & CCR.TSVREFE ? VREFINT_VOLTS : 0;
    if (ch === 18) {
      if (ccr & CCR.VBATE) return this.vbat / 4;
      return ccr & CCR.TSVREFE ? tempSensorVolts(this.temperature) : 0;
    }
    return 0;
  }

  // ---- conversions ------------------------------------------------------------------------------

  private get resBits(): number {
    return 12 - 2 * ((this.regs.get('CR1') >>> 24) & 3);
  }

  /** Seconds for one conversion of `ch`: (sampling + resolution) ADCCLK cycles. */
  conversionSeconds(ch: number): number {
    const smpr = ch >= 10 ? this.regs.get('SMPR1') : this.regs.get('SMPR2');
    const smp = SAMPLE_CYCLES[(smpr >>> (3 * (ch % 10))) & 7]!;
    const adcclk = this.env.pclk2() / (2 * (((this.regs.get('CCR') >>> 16) & 3) + 1));
    return (smp + this.resBits) / adcclk;
  }

  private code(ch: number): number {
    return adcCode(this.channelVolts(ch)) >>> (12 - this.resBits);
  }

  private writeCr2(v: number, old: number): void {
    if (v & 0x3030_0000 && !this.warned.has('ext')) {
      this.warned.add('ext');
      this.env.log.warn('ADC1: external triggers (EXTEN/JEXTEN) are not modelled; use SWSTART/JSWSTART');
    }
    if (!(v & CR2.ADON)) {
      // ADON = 0: the ADC is off, conversions stop.
      if (old & CR2.ADON) {
        this.env.scheduler.cancel(this.regEvent);
        this.env.scheduler.cancel(this.injEvent);
        this.regular = [];
        this.injected = [];
      }
      this.regs.set('CR2', v & ~(CR2.SWSTART | CR2.JSWSTART));
      return;
    }
    if (v & CR2.SWSTART) {
      v &= ~CR2.SWSTART; // cleared as the conversion starts
      this.startRegular();
    }
    if (v & CR2.JSWSTART) {
      v &= ~CR2.JSWSTART;
      this.startInjected();
    }
    this.regs.set('CR2', v);
  }

  private startRegular(): void {
    const cr1 = this.regs.get('CR1');
    const len = cr1 & CR1.SCAN ? ((this.regs.get('SQR1') >>> 20) & 0xf) + 1 : 1;
    const seq: number[] = [];
    for (let i = 0; i < len; i++) {
      const reg = i < 6 ? 'SQR3' : i < 12 ? 'SQR2' : 'SQR1';
      seq.push((this.regs.get(reg) >>> (5 * (i % 6))) & 0x1f);
    }
    this.regular = seq;
    this.regIndex = 0;
    this.regs.setBits('SR', ADC_SR.STRT, true);
    this.env.scheduler.schedule(this.regEvent, this.env.cyclesFor(this.conversionSeconds(seq[0]!)));
  }

  private regularDone(): void {
    const ch = this.regular[this.regIndex];
    if (ch === undefined) return;
    const cr1 = this.regs.get('CR1');
    const cr2 = this.regs.get('CR2');
    const code = this.code(ch);
    let sr = this.regs.get('SR');
    const last = this.regIndex === this.regular.length - 1;
    if (sr & ADC_SR.EOC && (cr2 & (CR2.EOCS | CR2.DMA)) !== 0) sr |= ADC_SR.OVR;
    const bits = this.resBits;
    const data = cr2 & CR2.ALIGN ? code << (bits === 6 ? 2 : 16 - bits) : code;
    this.regs.set('DR', data);
    if (cr2 & CR2.EOCS || last) sr |= ADC_SR.EOC;
    if (cr1 & CR1.AWDEN && (!(cr1 & CR1.AWDSGL) || (cr1 & 0x1f) === ch)) {
      const v12 = code << (12 - bits);
      if (v12 > this.regs.get('HTR') || v12 < this.regs.get('LTR')) sr |= ADC_SR.AWD;
    }
    this.regs.set('SR', sr);
    this.updateIrq();
    if (cr2 & CR2.DMA) this.onDmaRequest?.('rx', true);
    if (!last) this.regIndex++;
    else if (cr2 & CR2.CONT) this.regIndex = 0;
    else {
      this.regular = [];
      return;
    }
    this.env.scheduler.schedule(this.regEvent, this.env.cyclesFor(this.conversionSeconds(this.regular[this.regIndex]!)));
  }

  private startInjected(): void {
    const jsqr = this.regs.get('JSQR');
    const jl = (jsqr >>> 20) & 3;
    this.injected = [];
    for (let k = 3 - jl; k <= 3; k++) this.injected.push((jsqr >>> (5 * k)) & 0x1f);
    this.regs.setBits('SR', ADC_SR.JSTRT, true);
    const total = this.injected.reduce((s, ch) => s + this.conversionSeconds(ch), 0);
    this.env.scheduler.schedule(this.injEvent, this.env.cyclesFor(total));
  }

  private injectedDone(): void {
    const bits = this.resBits;
    const left = (this.regs.get('CR2') & CR2.ALIGN) !== 0;
    this.injected.forEach((ch, i) => {
      const v = this.code(ch) - this.regs.get(`JOFR${i + 1}`);
      this.regs.set(`JDR${i + 1}`, (left ? v << (bits === 6 ? 1 : 15 - bits) : v) & 0xffff);
    });
    this.injected = [];
    this.regs.setBits('SR', ADC_SR.JEOC, true);
    this.updateIrq();
  }

  private readDr(v: number): number {
    // Reading DR clears EOC (and the DMA request).
    if (this.regs.get('CR2') & CR2.DMA) this.onDmaRequest?.('rx', false);
    const sr = this.regs.get('SR');
    if (sr & ADC_SR.EOC) {
      this.regs.set('SR', sr & ~ADC_SR.EOC);
      this.updateIrq();
    }
    return v;
  }

  private updateIrq(): void {
    const sr = this.regs.get('SR');
    const cr1 = this.regs.get('CR1');
    this.env.irq.set(
      (sr & ADC_SR.EOC && cr1 & CR1.EOCIE) !== 0 ||
        (sr & ADC_SR.JEOC && cr1 & CR1.JEOCIE) !== 0 ||
        (sr & ADC_SR.AWD && cr1 & CR1.AWDIE) !== 0 ||
        (sr & ADC_SR.OVR && cr1 & CR1.OVRIE) !== 0,
    );
  }
}
