/**
 * The browser benchmark page: runs scratchnet's epoch, then TF.js-wasm's, each
 * in its own Worker (one at a time, so they never compete for a core), shows
 * a table and puts the whole result on `window.benchResult` as JSON-able data:
 * `{ ok: true, job, userAgent, results: [scratchnet, tfjs], ratio }` where
 * ratio = TF.js s/epoch ÷ scratchnet s/epoch (above 1: scratchnet faster), or
 * `{ ok: false, error }` when something failed. With `?arch=lenet5|cnn` it
 * trains that CNN with scratchnet only (TF.js's wasm backend has no
 * Conv2DBackpropFilter): `results` is [scratchnet] and `ratio` null.
 */
import type { BenchArch, BenchJob, FromWorker, LibResult } from './protocol.js';

export interface BenchResult {
  ok: true;
  job: BenchJob;
  userAgent: string;
  hardwareConcurrency: number;
  results: LibResult[];
  /** TF.js-wasm s/epoch ÷ scratchnet s/epoch; null for the CNNs (scratchnet alone). */
  ratio: number | null;
}

declare global {
  interface Window {
    benchResult?: BenchResult | { ok: false; error: string };
  }
}

const status = document.getElementById('status') as HTMLElement;
const table = document.getElementById('results') as HTMLTableElement;

const ARCHS: readonly BenchArch[] = ['mlp', 'lenet5', 'cnn'];

function parseJob(): BenchJob {
  const params = new URLSearchParams(location.search);
  const positive = (name: string): number | undefined => {
    const raw = params.get(name);
    if (raw === null) return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new Error(`?${name}=: expected a positive integer, got ${JSON.stringify(raw)}`);
    return n;
  };
  const arch = params.get('arch') ?? 'mlp';
  if (!ARCHS.includes(arch as BenchArch)) throw new Error(`?arch=: expected ${ARCHS.join(', ')}, got ${JSON.stringify(arch)}`);
  return { arch: arch as BenchArch, subset: positive('subset'), epochs: positive('epochs') ?? 1 };
}

/** Runs one worker script on `job` and resolves with its result; the worker is ended afterwards. */
function runWorker(script: string, job: BenchJob): Promise<LibResult> {
  const worker = new Worker(script);
  return new Promise<LibResult>((done, fail) => {
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const message = event.data;
      if (message.type === 'status') status.textContent = message.text;
      else if (message.type === 'done') done(message.result);
      else fail(new Error(message.message));
    };
    worker.onerror = (event) => fail(new Error(`${script}: ${event.message}`));
    worker.postMessage(job);
  }).finally(() => worker.terminate());
}

function addRow(r: LibResult): void {
  const row = table.tBodies[0].insertRow();
  row.dataset.library = r.library;
  const cells = [r.library, r.secondsPerEpoch.toFixed(3), Math.round(r.imagesPerSecond).toLocaleString('en'), `${(r.testAccuracy * 100).toFixed(2)} %`, r.backend];
  for (const text of cells) row.insertCell().textContent = text;
  table.hidden = false;
}

async function main(): Promise<void> {
  const job = parseJob();
  const results: LibResult[] = [];
  const scripts = job.arch === 'mlp' ? ['scratchnet-worker.js', 'tfjs-worker.js'] : ['scratchnet-worker.js'];
  for (const script of scripts) {
    const result = await runWorker(script, job);
    results.push(result);
    addRow(result);
  }
  const [ours, tfjs] = results;
  const ratio = tfjs === undefined ? null : tfjs.secondsPerEpoch / ours.secondsPerEpoch;
  (document.getElementById('ratio') as HTMLElement).textContent =
    ratio === null
      ? `${job.arch}: scratchnet alone (TF.js's wasm backend cannot train a convolution), ${ours.trainCount.toLocaleString('en')} training images, ${job.epochs} epoch(s).`
      : `TF.js-wasm takes ${ratio.toFixed(1)}× scratchnet's time per epoch (${ours.trainCount.toLocaleString('en')} training images, ${job.epochs} epoch(s)).`;
  status.textContent = 'Done.';
  status.dataset.state = 'done';
  window.benchResult = { ok: true, job, userAgent: navigator.userAgent, hardwareConcurrency: navigator.hardwareConcurrency, results, ratio };
}

main().catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  status.textContent = `Failed: ${message}`;
  status.dataset.state = 'error';
  window.benchResult = { ok: false, error: message };
});
