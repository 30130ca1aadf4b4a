import type { DetectedFormat } from '../../model/resolved'

export type { DetectedFormat }

/** The format of an image from its first bytes; the provider's Content-Type is not trusted. */
export function detectImageType(buf: Uint8Array): DetectedFormat | undefined {
  const ascii = (start: number, end: number) => Buffer.from(buf.subarray(start, end)).toString('latin1')
  if (buf.length < 12)
    return undefined
  if (buf[0] === 0xFF && buf[1] === 0xD8 && buf[2] === 0xFF)
    return 'jpeg'
  if (ascii(0, 8) === '\x89PNG\r\n\x1A\n')
    return 'png'
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP')
    return 'webp'
  if (ascii(0, 4) === 'GIF8')
    return 'gif'
  if (ascii(4, 8) === 'ftyp' && /avi[fs]|mif1|heic/.test(ascii(8, 32)))
    return 'avif'
  return undefined
}
