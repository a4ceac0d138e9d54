import jsQRModule from 'jsqr';
import sharp from 'sharp';

// jsQR is a CommonJS bundle: Node's import gives its exports object, a bundler the function.
type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = ((jsQRModule as unknown as { default?: Decode }).default ?? jsQRModule) as unknown as Decode;

/** The text a QR code image holds (PNG, or SVG as the setup page draws it), or undefined if none is found. */
export async function decodeQr(image: Buffer): Promise<string | undefined> {
  const { data, info } = await sharp(image, { density: 300 })
    .flatten({ background: '#ffffff' })
    .resize(480, 480, { fit: 'contain', background: '#ffffff', kernel: 'nearest' })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return jsQR(new Uint8ClampedArray(data.buffer, data.byteOffset, data.length), info.width, info.height)?.data;
}

/** The image bytes of a data: URI (base64). */
export function dataUriBytes(uri: string): Buffer {
  return Buffer.from(uri.replace(/^data:[^,]*;base64,/, ''), 'base64');
}
