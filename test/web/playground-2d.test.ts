import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser.js';
import { buildPlayground, servePlayground } from '../support/playground.js';

// The playground's 2-D tab, built from the current web/ sources and served by
// `scratchnet serve`, in a real headless Chromium; any request that would
// leave the page's origin is refused and recorded.
const tmp = mkdtempSync(join(tmpdir(), 'scratchnet-web-2d-'));
const dist = join(tmp, 'web-dist');
let server: ChildProcess;
let url: string;
let browser: Browser;
let page: Page;
const requests: string[] = [];
const refused: string[] = [];
const errors: string[] = [];

/** The RGB of every `step`-th pixel (both ways) of a canvas: enough to tell two pictures apart, small enough to compare. */
const canvasSample = (selector: string, step = 4): Promise<number[]> =>
  page.$eval(
    selector,
    (c, s) => {
      const canvas = c as HTMLCanvasElement;
      const data = canvas.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data ?? new Uint8ClampedArray(0);
      const out: number[] = [];
      for (let y = 0; y < canvas.height; y += s) for (let x = 0; x < canvas.width; x += s) out.push(...data.subarray(4 * (y * canvas.width + x), 4 * (y * canvas.width + x) + 3));
      return out;
    },
    step,
  );

/** How many sampled pixels differ between two samples. */
const differing = (a: number[], b: number[]): number => {
  let n = 0;
  for (let i = 0; i < a.length; i += 3) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) n++;
  return n;
};

const value = async (id: string): Promise<number> => Number(await page.$eval(`#${id}`, (el) => (el as HTMLElement).dataset.value));
const waitForEpoch = (n: number): Promise<unknown> =>
  page.waitForFunction((e) => Number(document.getElementById('plane-epoch')?.dataset.value) >= e, n, { timeout: 60_000 });
/** Two animation frames: the page has drawn the last frame it received. */
const drawn = (): Promise<void> => page.evaluate(() => new Promise<void>((done) => requestAnimationFrame(() => requestAnimationFrame(() => done()))));

/** Runs the form's settings to the end and returns the accuracies and the final boundary. */
async function runToEnd(): Promise<{ train: number; test: number; boundary: number[]; status: string }> {
  await page.click('#plane-start');
  await page.waitForSelector('#plane[data-state="done"]', { timeout: 120_000 });
  await drawn();
  return { train: await value('plane-train-accuracy'), test: await value('plane-test-accuracy'), boundary: await canvasSample('#plane-boundary'), status: (await page.textContent('#plane-status')) ?? '' };
}

before(async () => {
  buildPlayground(dist);
  ({ server, url } = await servePlayground(['--dir', dist]));
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: { width: 1200, height: 1000 } });
  const origin = new URL(url).origin;
  context.on('request', (r) => requests.push(r.url()));
  await context.route('**/*', (route) => {
    const target = new URL(route.request().url());
    if (target.origin === origin || target.protocol === 'data:' || target.protocol === 'blob:') return route.continue();
    refused.push(target.href);
    return route.abort();
  });
  page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  page.on('worker', (w) => w.on('console', (m) => m.type() === 'error' && errors.push(`worker console: ${m.text()}`)));
  await page.goto(url);
});

after(async () => {
  await browser?.close();
  server?.kill('SIGTERM');
});

test('the 2-D tab: its tab (or #plane) shows it, with the spiral\'s points and a map per unit before any training', async () => {
  assert.equal(await page.isVisible('#pad'), true);
  assert.equal(await page.isHidden('#plane'), true);
  await page.click('#tab-plane');
  assert.equal(await page.isVisible('#plane'), true);
  assert.equal(await page.isHidden('#pad'), true);
  assert.equal(new URL(page.url()).hash, '#plane');
  // The arrow keys move between the tabs, as the tabs pattern says.
  await page.focus('#tab-plane');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await page.getAttribute('#tab-digits', 'aria-selected'), 'true');
  assert.equal(await page.isVisible('#pad'), true);
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.isVisible('#plane'), true);
  await page.reload();
  assert.equal(await page.isVisible('#plane'), true, 'the URL #plane opens the 2-D tab');

  assert.equal(await page.$eval('#plane-dataset', (el) => (el as HTMLSelectElement).value), 'spiral');
  assert.deepEqual(await page.$$eval('#plane-legend li', (els) => els.map((e) => e.textContent)), ['class 0', 'class 1', 'class 2', 'training point', 'test point', 'paler: less sure']);
  // The points are drawn on a white plane: coloured pixels, most of it white.
  const points = await canvasSample('#plane-boundary', 2);
  const white = points.filter((_, i) => i % 3 === 0 && points[i] === 255 && points[i + 1] === 255 && points[i + 2] === 255).length;
  assert.ok(white > 0.5 * (points.length / 3) && white < 0.95 * (points.length / 3), `${white} white of ${points.length / 3}`);
  assert.equal(await page.$$eval('#plane-network .hidden canvas', (c) => c.length), 16);
  assert.match((await page.textContent('#plane-status')) ?? '', /^Ready: Start trains a 2-8-8-3, ReLU network on these 800 points; the 200 test points only score it\.$/);
  // Another set, its own points.
  await page.selectOption('#plane-dataset', 'circles');
  assert.equal(await page.$$eval('#plane-legend li', (els) => els.length), 5);
  assert.ok(differing(points, await canvasSample('#plane-boundary', 2)) > 100);
  await page.selectOption('#plane-dataset', 'spiral');
});

let stoppedAndResumed: { train: number; test: number; boundary: number[] };

test('spiral with ReLU: the boundary and the unit maps change as it trains, the accuracy rises above chance, Stop stops it and Resume finishes it', async (t) => {
  await page.selectOption('#plane-activation', 'relu');
  await page.fill('#plane-hidden', '8,8');
  await page.fill('#plane-epochs', '100');
  await page.selectOption('#plane-pace', '10');
  await page.click('#plane-start');
  await waitForEpoch(2);
  await drawn();
  const early = await canvasSample('#plane-boundary');
  const earlyUnits = await canvasSample('#plane-network .hidden canvas >> nth=0', 1);
  await waitForEpoch(10);
  await drawn();
  const later = await canvasSample('#plane-boundary');
  const changed = differing(early, later);
  t.diagnostic(`boundary pixels changed between epochs 2 and 10: ${changed} of ${early.length / 3} sampled`);
  assert.ok(changed > 0.02 * (early.length / 3), `only ${changed} sampled pixels changed`);
  assert.notDeepEqual(await canvasSample('#plane-network .hidden canvas >> nth=0', 1), earlyUnits, "the first unit's map changed too");

  // One map per hidden unit, each named, and (some of) them painted.
  const units = await page.$$eval('#plane-network .hidden canvas', (cs) => cs.map((c) => ({ label: c.getAttribute('aria-label') ?? '', role: c.getAttribute('role'), size: (c as HTMLCanvasElement).width })));
  assert.equal(units.length, 16);
  assert.match(units[0].label, /^hidden layer 1, unit 1: /);
  assert.match(units[15].label, /^hidden layer 2, unit 8: /);
  assert.ok(units.every((u) => u.role === 'img' && u.size === 24));
  const painted = await page.$$eval('#plane-network .hidden canvas', (cs) => cs.filter((c) => !c.hasAttribute('data-silent')).length);
  assert.ok(painted >= 8, `${painted} of 16 unit maps show anything`);

  // Chance on three classes is 1/3.
  await page.waitForFunction(() => Number(document.getElementById('plane-test-accuracy')?.dataset.value) > 0.8, undefined, { timeout: 60_000 });
  const epoch = await value('plane-epoch');
  t.diagnostic(`test accuracy ${await value('plane-test-accuracy')} at epoch ${epoch} (10 epochs/s)`);
  const shot = join(tmp, 'relu-training.png');
  await page.locator('#plane').screenshot({ path: shot });
  t.diagnostic(`screenshot while training: ${shot}`);
  assert.ok(epoch < 100, `still training at epoch ${epoch}`);

  await page.click('#plane-stop');
  await page.waitForSelector('#plane[data-state="stopped"]', { timeout: 10_000 });
  await drawn();
  const stoppedAt = await value('plane-epoch');
  const stopped = await canvasSample('#plane-boundary');
  await page.waitForTimeout(800);
  assert.equal(await value('plane-epoch'), stoppedAt, 'no epoch after Stop');
  assert.deepEqual(await canvasSample('#plane-boundary'), stopped, 'the boundary stays as it was');
  assert.equal(await page.isEnabled('#plane-start'), true);
  assert.equal(await page.isEnabled('#plane-resume'), true);
  assert.match((await page.textContent('#plane-status')) ?? '', /^Stopped after epoch \d+\. Test accuracy/);

  await page.click('#plane-resume');
  await page.waitForSelector('#plane[data-state="done"]', { timeout: 60_000 });
  await drawn();
  assert.equal(await value('plane-epoch'), 100);
  stoppedAndResumed = { train: await value('plane-train-accuracy'), test: await value('plane-test-accuracy'), boundary: await canvasSample('#plane-boundary') };
  assert.equal(await page.$$eval('#plane-loss-chart polyline.series', (p) => p.length), 2, 'training and test loss curves');
});

test('seeded: the same settings give the same run, whatever the pace and the stops', async (t) => {
  await page.selectOption('#plane-pace', '0');
  const first = await runToEnd();
  const second = await runToEnd();
  t.diagnostic(`spiral, 2-8-8-3 ReLU, Adam 0.01, 100 epochs, as fast as it can: ${first.status}`);
  assert.ok(first.test >= 0.9, `test accuracy ${first.test}`);
  assert.deepEqual({ ...second, status: '' }, { ...first, status: '' });
  // The paced run, stopped and resumed, ended on the same weights: the same scores and picture.
  assert.deepEqual({ train: first.train, test: first.test, boundary: first.boundary }, stoppedAndResumed);
  const shot = join(tmp, 'relu-done.png');
  await page.locator('#plane').screenshot({ path: shot });
  t.diagnostic(`screenshot after training: ${shot}`);
});

test('a linear network on the spiral fails after the same training: below 60 % test accuracy', async (t) => {
  await page.selectOption('#plane-activation', 'linear');
  const linear = await runToEnd();
  t.diagnostic(`linear: train ${linear.train}, test ${linear.test}`);
  assert.ok(linear.test < 0.6, `test accuracy ${linear.test}`);
  assert.ok(linear.train < 0.6, `training accuracy ${linear.train}`);
  assert.match((await page.$eval('#plane-network .hidden figcaption', (el) => el.textContent)) ?? '', /^Layer 1: 8 Linear$/);
  const shot = join(tmp, 'linear-done.png');
  await page.locator('#plane').screenshot({ path: shot });
  t.diagnostic(`screenshot of the linear network: ${shot}`);
  await page.selectOption('#plane-activation', 'relu');
});

test('the digits tab is as it was', async () => {
  await page.click('#tab-digits');
  assert.equal(await page.isVisible('#pad'), true);
  assert.equal(await page.isHidden('#plane'), true);
  assert.equal(new URL(page.url()).hash, '');
  assert.match((await page.textContent('#model-status')) ?? '', /^No model yet/);
});

test('no request left the page\'s origin and nothing was logged as an error', () => {
  assert.ok(requests.some((r) => r.endsWith('/plane-worker.js')), requests.join('\n'));
  assert.deepEqual(refused, []);
  assert.deepEqual(errors, []);
});
