// node bench/media.js (after npm run build): one 12-megapixel photo through the media pipeline.
//
// Draws a 4000 × 3000 photo-like picture (sky and hill gradients, a sun, soft shapes and
// sensor noise, so that the encoders do real work), saves it as a phone would (JPEG with
// EXIF and GPS), then times MediaService.ingest from upload to every variant stored and
// recorded, and prints the bytes of the served variants against the upload.
// BENCH_AVIF_EFFORT="2 4" compares AVIF efforts (default: Hearth's own setting).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { DEFAULT_ENCODER, MediaService } from '../dist/domain/media/index.js';
import { createDiskMediaStore, openDatabase } from '../dist/storage/index.js';

const W = 4000;
const H = 3000;

async function photo() {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
    <defs>
      <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
        <stop offset="0" stop-color="#5b8fc9"/><stop offset="0.6" stop-color="#f4d3a4"/><stop offset="1" stop-color="#f7b57a"/>
      </linearGradient>
      <radialGradient id="sun"><stop offset="0" stop-color="#fff6d8"/><stop offset="1" stop-color="#fff6d8" stop-opacity="0"/></radialGradient>
      <linearGradient id="hill" x1="0" y1="0" x2="1" y2="1">
        <stop offset="0" stop-color="#4d7a3a"/><stop offset="1" stop-color="#20391c"/>
      </linearGradient>
    </defs>
    <rect width="${W}" height="${H}" fill="url(#sky)"/>
    <circle cx="2900" cy="900" r="700" fill="url(#sun)"/>
    <path d="M0 1900 Q1000 1500 2000 1800 T4000 1650 V3000 H0Z" fill="url(#hill)"/>
    <path d="M0 2300 Q1400 2000 2600 2350 T4000 2200 V3000 H0Z" fill="#2f4f25" opacity="0.85"/>
    ${Array.from({ length: 60 }, (_, i) => {
      const x = (i * 677) % W;
      const y = 2000 + ((i * 389) % 900);
      const r = 40 + ((i * 53) % 120);
      return `<ellipse cx="${x}" cy="${y}" rx="${r}" ry="${r * 1.6}" fill="hsl(${90 + (i % 40)}, 45%, ${18 + (i % 20)}%)"/>`;
    }).join('')}
  </svg>`;
  const base = await sharp(Buffer.from(svg)).blur(2).raw().toBuffer({ resolveWithObject: true });
  // Texture at three scales (foliage, grass, sensor grain) survives downscaling as a photo's does.
  const noise = async (scale, sigma) =>
    sharp({
      create: {
        width: Math.round(W / scale),
        height: Math.round(H / scale),
        channels: 3,
        background: '#808080',
        noise: { type: 'gaussian', mean: 128, sigma },
      },
    })
      .resize(W, H, { kernel: 'cubic' })
      .png({ compressionLevel: 1 })
      .toBuffer();
  return sharp(base.data, { raw: base.info })
    .composite([
      { input: await noise(16, 60), blend: 'soft-light' },
      { input: await noise(4, 50), blend: 'soft-light' },
      { input: await noise(1, 18), blend: 'soft-light' },
    ])
    .jpeg({ quality: 92 })
    .withExif({ IFD0: { Make: 'Bench', Model: 'Phone' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 0/1' } })
    .toBuffer();
}

const kb = (n) => `${(n / 1024).toFixed(0)} KB`;

const upload = await photo();
const efforts = (process.env.BENCH_AVIF_EFFORT ?? String(DEFAULT_ENCODER.avifEffort)).split(/[\s,]+/).map(Number);
console.log(`photo: ${W} × ${H} JPEG, ${kb(upload.length)}; ${os.availableParallelism()} cores`);
for (const avifEffort of efforts) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hearth-bench-media-'));
  const database = await openDatabase({ url: undefined, dataDir: dir });
  await database.migrate();
  const media = new MediaService({
    db: database.db,
    store: createDiskMediaStore(path.join(dir, 'media')),
    encoder: { avifEffort },
  });
  const started = performance.now();
  const item = await media.ingest({ data: upload, name: 'bench.jpg', alt: 'A hillside at sunset' });
  const elapsed = performance.now() - started;
  const size = (p) => fs.statSync(path.join(dir, 'media', p)).size;
  const at = (format, width) => item.variants.find((v) => v.format === format && v.width === width);
  console.log(
    `\nAVIF effort ${avifEffort}: upload to all ${item.variants.length} variants ready: ${(elapsed / 1000).toFixed(2)} s`,
  );
  console.log(`  stored original (${item.mimeType}, stripped): ${kb(item.bytes)}`);
  for (const width of [960, 1600, 2400]) {
    const line = ['avif', 'webp', 'jpeg']
      .map((f) => {
        const v = at(f, width);
        return v ? `${f} ${kb(size(v.path))} (${((100 * size(v.path)) / upload.length).toFixed(1)}%)` : `${f} -`;
      })
      .join(', ');
    console.log(`  ${width} wide: ${line} of the upload`);
  }
  await database.close();
  fs.rmSync(dir, { recursive: true, force: true });
}
