import { createHash } from 'node:crypto'
import sharp from 'sharp'

/**
 * The pictures the loopback servers answer with, at the size the real API would return. Written
 * apart from src/core/geometry.ts on purpose: the stand-in must not share the plugin's reading of
 * the documentation, or a wrong reading would pass its own test.
 */

const PRESET: Record<string, number> = { '1K': 1024, '2K': 2048, '4K': 4096 }
/** seedream-4.5's smallest output (Segmind's 4.5 page: "Images below 3.7M pixels will be auto-scaled up"). */
export const MIN_PIXELS_45 = 3_686_400

const round64 = (n: number) => Math.max(64, Math.round(n / 64) * 64)
// The epsilon keeps 2048 × 1.25 (computed through a square root) from rounding up a step.
const ceil16 = (n: number) => Math.ceil(n / 16 - 1e-9) * 16

/** seedream-4.5 scales anything under 3,686,400 px up to that area, keeping the ratio, in steps of 16. */
export function scaleUp45(width: number, height: number): { width: number, height: number } {
  if (width * height >= MIN_PIXELS_45)
    return { width, height }
  const k = Math.sqrt(MIN_PIXELS_45 / (width * height))
  return { width: ceil16(width * k), height: ceil16(height * k) }
}

/**
 * The size Segmind (and Replicate, which takes the same fields) returns for a body: `custom` is
 * width × height rounded to 64; a preset fixes the longer side (1K/2K/4K = 1024/2048/4096) and
 * the ratio gives the other, rounded to 64; `match_input_image` or no ratio is square; then
 * seedream-4.5's minimum area.
 */
export function segmindSize(body: any, model: string): { width: number, height: number } {
  let width: number
  let height: number
  if (body?.size === 'custom') {
    width = round64(Number(body.width ?? 2048))
    height = round64(Number(body.height ?? 2048))
  }
  else {
    const long = PRESET[body?.size ?? '2K'] ?? 2048
    const m = /^(\d+):(\d+)$/.exec(String(body?.aspect_ratio ?? ''))
    const [a, b] = m ? [Number(m[1]), Number(m[2])] : [1, 1]
    width = a >= b ? long : round64((long * a) / b)
    height = a >= b ? round64((long * b) / a) : long
  }
  return model === 'seedream-4.5' ? scaleUp45(width, height) : { width, height }
}

/** fal's named sizes (its docs); anything else named, or nothing, is the 2048² default. */
const FAL_NAMED: Record<string, [number, number]> = {
  square_hd: [1024, 1024],
  square: [512, 512],
  portrait_4_3: [768, 1024],
  portrait_16_9: [576, 1024],
  landscape_4_3: [1024, 768],
  landscape_16_9: [1024, 576],
  auto_2K: [2048, 2048],
  auto_4K: [4096, 4096],
}

export function falSize(imageSize: unknown): { width: number, height: number } {
  if (imageSize && typeof imageSize === 'object') {
    const { width, height } = imageSize as { width?: number, height?: number }
    if (width && height)
      return { width, height }
  }
  const named = typeof imageSize === 'string' ? FAL_NAMED[imageSize] : undefined
  return named ? { width: named[0], height: named[1] } : { width: 2048, height: 2048 }
}

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

/**
 * A JPEG of exactly width × height: a tiny SVG (64 px on its long side, same ratio; a gradient and
 * a disc whose colour and place follow `text`) upscaled by sharp. 2048² takes a few ms.
 */
export async function render(width: number, height: number, text: string): Promise<Buffer> {
  const h = createHash('sha256').update(text).digest()
  const sw = width >= height ? 64 : Math.max(1, Math.round((64 * width) / height))
  const sh = height >= width ? 64 : Math.max(1, Math.round((64 * height) / width))
  const hue = (h[0]! * 256 + h[1]!) % 360
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${sw}" height="${sh}">`
    + `<defs><linearGradient id="g" x2="${h[2]! % 2}" y2="${1 - (h[2]! % 2)}"><stop offset="0" stop-color="hsl(${hue},60%,50%)"/><stop offset="1" stop-color="hsl(${(hue + 90 + (h[3]! % 90)) % 360},60%,30%)"/></linearGradient></defs>`
    + `<rect width="100%" height="100%" fill="url(#g)"/>`
    + `<circle cx="${20 + (h[4]! % 60)}%" cy="${20 + (h[5]! % 60)}%" r="${15 + (h[6]! % 20)}%" fill="hsl(${(hue + 180) % 360},70%,80%)" fill-opacity="0.6"/></svg>`
  return sharp(Buffer.from(svg)).resize(width, height, { fit: 'fill', kernel: 'linear' }).jpeg({ quality: 70, optimiseCoding: false }).toBuffer()
}
