import { Resvg } from '@resvg/resvg-js';
import { PNG } from 'pngjs';

/**
 * A grey-scale digit (row-major bytes, 0 = black, 255 = white, as MNIST) as a
 * `data:` URL of a PNG, enlarged `scale` times with square pixels so that no
 * viewer blurs it.
 */
export function digitPngDataUrl(pixels: Uint8Array, width = 28, height = 28, scale = 3): string {
  const png = new PNG({ width: width * scale, height: height * scale, colorType: 0, inputColorType: 0, bitDepth: 8 });
  const out = png.data;
  const w = width * scale;
  for (let y = 0; y < height * scale; y++) {
    for (let x = 0; x < w; x++) {
      const v = pixels[Math.floor(y / scale) * width + Math.floor(x / scale)];
      const o = (y * w + x) * 4;
      out[o] = v;
      out[o + 1] = v;
      out[o + 2] = v;
      out[o + 3] = 255;
    }
  }
  return `data:image/png;base64,${PNG.sync.write(png, { colorType: 0 }).toString('base64')}`;
}

/**
 * An RGB image (row-major bytes r, g, b per pixel) as a `data:` URL of a PNG
 * at its own size, grey-scale when every pixel is grey (a third of the
 * bytes). The report's filter and feature-map tiles are this small and are
 * enlarged by the page with `image-rendering: pixelated`.
 */
export function rgbPngDataUrl(rgb: Uint8Array, width: number, height: number): string {
  if (rgb.length !== width * height * 3) throw new RangeError(`rgbPngDataUrl: expected ${width * height * 3} bytes (${width} × ${height} × 3), got ${rgb.length}`);
  const png = new PNG({ width, height });
  let grey = true;
  for (let p = 0; p < width * height; p++) {
    const [r, g, b] = [rgb[3 * p], rgb[3 * p + 1], rgb[3 * p + 2]];
    png.data[4 * p] = r;
    png.data[4 * p + 1] = g;
    png.data[4 * p + 2] = b;
    png.data[4 * p + 3] = 255;
    if (r !== g || g !== b) grey = false;
  }
  return `data:image/png;base64,${PNG.sync.write(png, { colorType: grey ? 0 : 2 }).toString('base64')}`;
}

/**
 * Renders an SVG to PNG bytes at `zoom` times its size (resvg: no browser,
 * fonts from the system, falling back to DejaVu Sans as installed by Debian's
 * fonts-dejavu-core).
 */
export function svgToPng(svg: string, zoom = 2): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: zoom },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
    imageRendering: 1, // optimizeSpeed: keep the digits' pixels square
  });
  return resvg.render().asPng();
}
