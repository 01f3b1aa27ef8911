import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { digitPngDataUrl, svgToPng } from '../../src/io/png.js';

test('digitPngDataUrl: a 28×28 digit as an 84×84 grey PNG with square pixels', () => {
  const pixels = new Uint8Array(784);
  pixels[0] = 255; // top-left white
  pixels[28 * 27 + 27] = 128; // bottom-right grey
  const url = digitPngDataUrl(pixels);
  assert.match(url, /^data:image\/png;base64,/);
  const png = PNG.sync.read(Buffer.from(url.split(',')[1], 'base64'));
  assert.equal(png.width, 84);
  assert.equal(png.height, 84);
  const at = (x: number, y: number) => png.data[(y * 84 + x) * 4];
  assert.equal(at(0, 0), 255);
  assert.equal(at(2, 2), 255);
  assert.equal(at(3, 3), 0);
  assert.equal(at(83, 83), 128);
  assert.equal(at(81, 81), 128);
  assert.equal(at(80, 80), 0);
});

test('svgToPng renders at twice the size by default', () => {
  const svg = '<svg xmlns="http://www.w3.org/2000/svg" width="30" height="20"><rect width="30" height="20" fill="#ff0000"/></svg>';
  const png = PNG.sync.read(Buffer.from(svgToPng(svg)));
  assert.equal(png.width, 60);
  assert.equal(png.height, 40);
  assert.deepEqual(Array.from(png.data.subarray(0, 4)), [255, 0, 0, 255]);
});
