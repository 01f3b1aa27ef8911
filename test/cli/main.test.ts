import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath, runCli } from '../support/cli.js';

test('a reader that closes the pipe early (`| head`) ends the command quietly, exit 0', async () => {
  const child = spawn(process.execPath, [cliPath, 'train', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  // Closed before the command has written anything: its first write fails with EPIPE.
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
  assert.equal(stderr, '');
  assert.equal(code, 0);
});

const asRoot = process.getuid?.() === 0;

test(
  'on a full disk each file the CLI writes fails with one line naming it, exit 2, and no partial file is left',
  { skip: asRoot ? false : 'needs root to mount a small tmpfs; test/io/write.test.ts covers the same failures without one' },
  (t) => {
    const tmp = mkdtempSync(join(tmpdir(), 'scratchnet-full-disk-'));
    const disk = join(tmp, 'disk');
    mkdirSync(disk);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', disk], { encoding: 'utf8' });
    assert.equal(mounted.status, 0, `mount -t tmpfs: ${mounted.stderr}`);
    t.after(() => {
      spawnSync('umount', [disk]);
      rmSync(tmp, { recursive: true, force: true });
    });
    const page = 4096;
    /** Empties the disk, then fills it until `free` bytes (whole pages) are left. */
    const leave = (free: number): void => {
      for (const name of readdirSync(disk)) rmSync(join(disk, name), { recursive: true, force: true });
      const { bavail, bsize } = statfsSync(disk);
      writeFileSync(join(disk, 'filler'), new Uint8Array(bavail * bsize - free));
    };
    /** Every file on the disk but the filler, relative to it. */
    const files = (): string[] => (readdirSync(disk, { recursive: true }) as string[]).filter((f) => f !== 'filler' && statSync(join(disk, f)).isFile()).sort();
    const assertFull = (args: string[], file: string | RegExp): void => {
      const r = runCli(args);
      assert.equal(r.code, 2, `scratchnet ${args.join(' ')}: exit ${r.code}, stderr ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `expected one stderr line, got:\n${r.stderr}`);
      const name = typeof file === 'string' ? file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : file.source;
      assert.match(lines[0], new RegExp(`^scratchnet: error: ${name}: cannot write \\(ENOSPC: no space left on device\\)$`));
      assert.ok(!files().some((f) => f.endsWith('.tmp')), `partial files left: ${files().join(', ')}`);
    };

    // export-csv: 110 MB into 2 MB.
    assertFull(['data', 'export-csv', join(disk, 'csv')], join(disk, 'csv', 'mnist_train.csv'));
    assert.deepEqual(files(), []);

    // train: its files in the order it writes them, measured on a roomy disk first.
    const job = ['train', '--subset', '22400', '--epochs', '1', '--quiet'];
    const ref = join(tmp, 'ref');
    assert.equal(runCli([...job, '--out', ref]).code, 0);
    const order = [join('checkpoints', 'last.safetensors'), join('checkpoints', 'best.safetensors'), 'history.json', 'model.safetensors', 'report.html'];
    let before = 0; // pages the files written before this one take
    for (const [i, file] of order.entries()) {
      const pages = Math.ceil(statSync(join(ref, file)).size / page);
      assert.ok(pages >= 4, `${file} is big enough to fail halfway (${pages} pages)`);
      // Room for the files before it (and a page to spare: timings vary their size), half of its own.
      leave((before + 1 + Math.floor(pages / 2)) * page);
      assertFull([...job, '--out', join(disk, 'run')], join(disk, 'run', file));
      // What was written before it is still there, whole; nothing of it is.
      assert.deepEqual(files(), order.slice(0, i).map((f) => join('run', f)).sort());
      before += pages;
    }

    // report (HTML, then PNGs) and export.
    leave(0);
    assertFull(['report', ref, '--out', join(disk, 'report.html')], join(disk, 'report.html'));
    assertFull(['report', ref, '--out', join(tmp, 'report.html'), '--png', join(disk, 'png')], new RegExp(`${join(disk, 'png')}/[a-z-]+\\.png`));
    assertFull(['export', '--model', join(ref, 'model.safetensors'), '--onnx', join(disk, 'model.onnx')], join(disk, 'model.onnx'));
    assert.deepEqual(files(), []);
  },
);
