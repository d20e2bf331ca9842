/**
 * What `emboard boards` prints about a board: MCU, clocks, memory map (taken from the SoC model's bus,
 * so it is what the emulator really maps), console UART, LEDs and buttons, and — in the detailed view —
 * the flash sector map, optional parts (SPI flash footprint, USB pins) and the description.
 */
import { RegionKind } from '../core/bus.js';
import { Machine } from '../core/machine.js';
import type { BoardSpec } from './board.js';

interface Part {
  name?: string;
  pin?: string;
  activeLow?: boolean;
  color?: string;
  externalPull?: string;
}

const hex = (n: number) => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

function size(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} B`;
}

function hz(n: number): string {
  if (n >= 1e6) return `${+(n / 1e6).toFixed(3)} MHz`;
  if (n >= 1e3) return `${+(n / 1e3).toFixed(3)} kHz`;
  return `${n} Hz`;
}

function parts(raw: unknown): Part[] {
  return Array.isArray(raw) ? (raw as Part[]) : [];
}

export interface BoardFacts {
  name: string;
  mcu: string;
  soc: string;
  description: string;
  clocks: string;
  memory: { name: string; base: number; size: number; kind: 'RAM' | 'ROM'; alias: boolean }[];
  console: string;
  leds: string[];
  buttons: string[];
  flashSectors: string | null;
  extras: string[];
}

/** Builds the board (no firmware) and collects what users want to know about it. */
export function boardFacts(spec: BoardSpec): BoardFacts {
  const m = new Machine({ board: spec });
  const o = spec.options ?? {};
  const clocks = [`core ${hz(spec.cpuHz)} at reset`];
  if (typeof o.hseHz === 'number') clocks.push(o.hseHz > 0 ? `HSE ${hz(o.hseHz)}${o.hseBypass ? ' (bypass)' : ' crystal'}` : 'no HSE');
  if (typeof o.lseHz === 'number' && o.lseHz > 0) clocks.push(`LSE ${hz(o.lseHz)}`);
  if (spec.systick?.externalHz) clocks.push(`SysTick reference ${hz(spec.systick.externalHz)}`);
  // An alias is named so (boot-alias, *-mirror) or views a storage an earlier plain region already shows.
  const storages = new Set<unknown>();
  const memory = m.bus
    .allRegions()
    .filter((r) => r.kind !== RegionKind.MMIO)
    .map((r) => {
      const named = /alias|mirror/.test(r.name);
      const alias = named || storages.has(r.storage);
      if (!named) storages.add(r.storage);
      return { name: r.name, base: r.base, size: r.size, kind: r.kind === RegionKind.RAM ? ('RAM' as const) : ('ROM' as const), alias };
    });
  const cp = o.consolePins as { tx?: string; rx?: string } | undefined;
  const consoleText = `${spec.console}${cp?.tx ? ` (TX ${cp.tx}, RX ${cp.rx ?? '?'})` : ''}`;
  const leds = parts(o.leds).map((l) => `${l.name} on ${l.pin}${l.activeLow ? ' (active low)' : ''}${l.color ? `, ${l.color}` : ''}`);
  const buttons = parts(o.buttons).map((b) => `${b.name} on ${b.pin}${b.activeLow ? ' (active low)' : ''}${b.externalPull ? `, external pull-${b.externalPull}` : ''}`);
  const flash = m.soc.persistentStores?.().find((s) => s.base !== undefined);
  const flashSectors = flash?.sectors
    ? flash.sectors
        .reduce<{ size: number; n: number }[]>((acc, s) => {
          const l = acc[acc.length - 1];
          if (l && l.size === s.size) l.n++;
          else acc.push({ size: s.size, n: 1 });
          return acc;
        }, [])
        .map((g) => `${g.n}×${size(g.size)}`)
        .join(', ')
    : null;
  const extras: string[] = [];
  const sp = (o.spiFlashPins ?? (typeof o.spiFlash === 'object' ? o.spiFlash : undefined)) as Record<string, unknown> | undefined | null;
  if (sp) extras.push(`SPI flash footprint on ${String(sp.spi)} (CS ${String(sp.cs)}, SCK ${String(sp.sck)}, MISO ${String(sp.miso)}, MOSI ${String(sp.mosi)}); fit a chip with --spi-flash w25q16|w25q32|w25q64|w25q128`);
  const usb = o.usb as { dm?: string; dp?: string } | undefined;
  if (usb) extras.push(`USB on ${usb.dm}/${usb.dp}`);
  if (spec.soc === 'stm32f411') extras.push('BOOT0: --boot0 boots the system memory');
  if (spec.demo) extras.push('built-in demo firmware (--demo)');
  return {
    name: spec.name,
    mcu: typeof o.mcu === 'string' ? o.mcu : spec.soc,
    soc: spec.soc,
    description: spec.description ?? '',
    clocks: clocks.join(', '),
    memory,
    console: consoleText,
    leds,
    buttons,
    flashSectors,
    extras,
  };
}

/** The lines `emboard boards` prints for one board (short form) or `emboard boards NAME` (details). */
export function describeBoard(spec: BoardSpec, detailed: boolean): string[] {
  const f = boardFacts(spec);
  const main = f.memory.filter((r) => !r.alias);
  const lines = [`${f.name}`];
  if (detailed && f.description) lines.push(`  ${f.description}`);
  lines.push(`  MCU      ${f.mcu} (SoC model ${f.soc})`);
  lines.push(`  clocks   ${f.clocks}`);
  if (detailed) {
    lines.push('  memory');
    for (const r of f.memory) {
      lines.push(`    ${hex(r.base)}..${hex(r.base + r.size - 1)}  ${size(r.size).padEnd(8)} ${r.kind}  ${r.name}${r.alias ? ' (alias)' : ''}`);
    }
    if (f.flashSectors) lines.push(`  flash sectors  ${f.flashSectors}`);
  } else {
    lines.push(`  memory   ${main.map((r) => `${r.name} ${size(r.size)} at ${hex(r.base)}`).join(', ')}`);
  }
  lines.push(`  console  ${f.console}`);
  lines.push(`  LEDs     ${f.leds.join('; ') || 'none'}`);
  lines.push(`  buttons  ${f.buttons.join('; ') || 'none'}`);
  if (detailed) for (const e of f.extras) lines.push(`  ${e}`);
  return lines;
}
