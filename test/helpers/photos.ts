import zlib from 'node:zlib';
import sharp from 'sharp';

/**
 * Photos made for tests with sharp: noisy enough that encoders do real work, small
 * enough to encode quickly.
 */
export function noisyPhoto(width: number, height: number) {
  return sharp({
    create: {
      width,
      height,
      channels: 3,
      background: { r: 170, g: 120, b: 90 },
      noise: { type: 'gaussian', mean: 120, sigma: 40 },
    },
  });
}

/** A JPEG as a phone writes it: camera EXIF with a GPS position, and a Display P3 profile. */
export async function phoneJpeg(width: number, height: number, orientation = 1): Promise<Buffer> {
  return noisyPhoto(width, height)
    .jpeg({ quality: 85 })
    .withMetadata({ orientation })
    .withExifMerge({
      IFD0: { Make: 'Pixelphone', Model: 'Seven', Artist: 'Somebody' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '51/1 30/1 1234/100',
        GPSLongitudeRef: 'W',
        GPSLongitude: '0/1 7/1 4000/100',
      },
    })
    .withIccProfile('p3')
    .toBuffer();
}

/**
 * A decompression bomb: a valid PNG header that declares 50,000 × 50,000 pixels
 * (7.5 GB once decoded) in a file of ninety bytes.
 */
export async function pngBomb(width = 50_000, height = 50_000): Promise<Buffer> {
  const png = Buffer.from(
    await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } })
      .png()
      .toBuffer(),
  );
  // IHDR starts at byte 8: length (4), "IHDR" (4), width (4), height (4), ..., CRC over type and data.
  png.writeUInt32BE(width, 16);
  png.writeUInt32BE(height, 20);
  png.writeUInt32BE(zlib.crc32(png.subarray(12, 29)), 29);
  return png;
}

/** An animated GIF of `frames` frames of different colours. */
export async function animatedGif(width: number, height: number, frames = 3): Promise<Buffer> {
  const colours = ['#d04030', '#30a050', '#3050d0', '#e0c020'];
  const pages = await Promise.all(
    Array.from({ length: frames }, (_, i) =>
      sharp({ create: { width, height, channels: 4, background: colours[i % colours.length] as string } })
        .png()
        .toBuffer(),
    ),
  );
  return sharp(pages, { join: { animated: true } })
    .gif({ delay: pages.map(() => 150), loop: 0 })
    .toBuffer();
}
