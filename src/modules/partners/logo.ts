/**
 * Company logos: the uploaded image (sniffed by the upload wrapper: PNG or JPEG) is re-encoded
 * by sharp to a PNG of at most 256×256, metadata dropped, so what is served is always an image
 * the portal made.
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '../../kernel';
import type { UploadedFile } from '../../web/uploads';

export const LOGO_SIZE = 256;

// sharp is CommonJS with its own types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sharp = require('sharp') as typeof import('sharp');

/** Re-encodes an uploaded image into a new temp file beside it; the caller persists and discards it. */
export async function reencodeLogo(file: UploadedFile): Promise<UploadedFile> {
  if (file.kind !== 'png' && file.kind !== 'jpeg') throw new ValidationError({ logo: { key: 'partners:errors.logoType' } });
  const out = path.join(path.dirname(file.tempPath), randomBytes(16).toString('hex'));
  try {
    const info = await sharp(file.tempPath, { limitInputPixels: 40_000_000 })
      .rotate()
      .resize(LOGO_SIZE, LOGO_SIZE, { fit: 'inside', withoutEnlargement: true })
      .png({ compressionLevel: 9 })
      .toFile(out);
    return { tempPath: out, originalName: 'logo.png', size: info.size, kind: 'png', mime: 'image/png' };
  } catch {
    await rm(out, { force: true });
    throw new ValidationError({ logo: { key: 'partners:errors.logoUnreadable' } });
  }
}
