/** Runs Python source on the host build of the VM, collecting stdout and stderr. */
import { PyVm, type PyVmOptions } from '../../firmware/ports/host/node/vm-host.js';

export interface PyRun {
  status: number;
  out: string;
  err: string;
}

export async function runPy(source: string, filename = '<test>', opts: PyVmOptions = {}): Promise<PyRun> {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const vm = await PyVm.create({ ...opts, stdout: (b) => out.push(b), stderr: (b) => err.push(b) });
  const status = vm.runScript(source, filename);
  return { status, out: Buffer.concat(out).toString('utf8'), err: Buffer.concat(err).toString('utf8') };
}

/** A REPL session: feeds `input` in one go and returns everything printed. */
export async function runRepl(input: string, opts: PyVmOptions = {}): Promise<{ out: string; status?: number }> {
  const out: Uint8Array[] = [];
  const vm = await PyVm.create({ ...opts, stdout: (b) => out.push(b), stderr: (b) => out.push(b) });
  vm.replStart(false);
  const status = vm.replInput(input);
  return { out: Buffer.concat(out).toString('utf8'), status };
}
