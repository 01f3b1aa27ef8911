import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PNG } from 'pngjs';
import { digitPngDataUrl, rgbPngDataUrl, svgToPng } from '../../src/io/png.js';

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

test('rgbPngDataUrl: an RGB image at its own size, stored grey when every pixel is grey', () => {
  const decode = (url: string) => PNG.sync.read(Buffer.from(url.split(',')[1], 'base64'));
  const colour = decode(rgbPngDataUrl(Uint8Array.from([255, 0, 0, 10, 20, 30, 0, 0, 255, 7, 7, 7, 1, 2, 3, 200, 100, 50]), 3, 2));
  assert.equal(colour.width, 3);
  assert.equal(colour.height, 2);
  assert.deepEqual(Array.from(colour.data.subarray(0, 8)), [255, 0, 0, 255, 10, 20, 30, 255]);
  assert.deepEqual(Array.from(colour.data.subarray(20, 24)), [200, 100, 50, 255]);
  const greyUrl = rgbPngDataUrl(Uint8Array.from([0, 0, 0, 128, 128, 128]), 2, 1);
  const grey = decode(greyUrl);
  assert.deepEqual(Array.from(grey.data), [0, 0, 0, 255, 128, 128, 128, 255]);
  // Colour type 0 (grey) in the IHDR chunk: byte 25 of the file.
  assert.equal(Buffer.from(greyUrl.split(',')[1], 'base64')[25], 0);
  assert.throws(() => rgbPngDataUrl(new Uint8Array(5), 2, 1), /rgbPngDataUrl: expected 6 bytes \(2 × 1 × 3\), got 5/);
});
