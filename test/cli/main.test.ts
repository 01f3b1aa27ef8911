import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cliPath } from '../support/cli.js';

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
