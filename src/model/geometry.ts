import type { PictureRequest } from './resolved'
import { PIXELS_45 } from './schema'

const BASE = { '1K': 1024, '2K': 2048, '4K': 4096 } as const
/** Largest picture any Seedream host returns (4096²), with room for rounding. */
const MAX_PIXELS = 16_777_216 * 1.05

/** Width / height of an explicit ratio such as "16:9"; undefined for `match_input_image`. */
export function ratioOf(aspect: string): number | undefined {
  const m = /^(\d+):(\d+)$/.exec(aspect)
  return m ? Number(m[1]) / Number(m[2]) : undefined
}

/**
 * The size a spec asks for, before the host's own rescaling: `custom` is width × height; a preset
 * fixes the longer side (1K/2K/4K = 1024/2048/4096) and the ratio gives the other, in steps of 64.
 * `match_input_image` has no input to measure here, so it is taken as square.
 */
export function requestedSize(p: PictureRequest): { width: number, height: number } {
  if (p.size === 'custom')
    return { width: p.width!, height: p.height! }
  const base = BASE[p.size]
  const r = ratioOf(p.aspect_ratio) ?? 1
  const other = (n: number) => Math.round((base * n) / 64) * 64
  return r >= 1 ? { width: base, height: other(1 / r) } : { width: other(r), height: base }
}

/**
 * The size the API is expected to return: what was asked for, scaled up to seedream-4.5's minimum
 * area when it is smaller (Segmind's 4.5 page: "Images below 3.7M pixels will be auto-scaled up").
 */
export function predictedSize(p: PictureRequest): { width: number, height: number } {
  return scaledUp(requestedSize(p), p.model === 'seedream-4.5' ? PIXELS_45.min : 0)
}

/** Seedream 4.0's smallest area on the hosts that take explicit pixels (BytePlus, fal): 960². */
const PIXELS_40_MIN = 921_600

/**
 * Explicit pixels for hosts that take no preset or ratio (ark, fal): the requested size, scaled up
 * to the model's smallest area there, since those hosts refuse anything smaller.
 */
export function explicitSize(p: PictureRequest): { width: number, height: number } {
  return scaledUp(requestedSize(p), p.model === 'seedream-4.5' ? PIXELS_45.min : PIXELS_40_MIN)
}

function scaledUp(size: { width: number, height: number }, min: number): { width: number, height: number } {
  const area = size.width * size.height
  if (area >= min)
    return size
  const k = Math.sqrt(min / area)
  return { width: Math.ceil((size.width * k) / 16) * 16, height: Math.ceil((size.height * k) / 16) * 16 }
}

/**
 * Why a returned picture of `width` × `height` cannot be the answer to `p`, or undefined when it
 * can. The hosts rescale (4.5 scales small sizes up, a 2K preset may come back at 8–9M pixels), so
 * the area may be from half to 4.5 times the predicted one; an explicit ratio must hold within 5%.
 */
export function sizeMismatch(p: PictureRequest, width: number, height: number): string | undefined {
  const expected = predictedSize(p)
  const area = width * height
  const want = expected.width * expected.height
  const ratio = ratioOf(p.aspect_ratio) ?? (p.size === 'custom' ? p.width! / p.height! : undefined)
  // A matched input's ratio is unknown, so a wide input may leave well under half a square's area.
  const low = ratio === undefined ? 0.3 : 0.5
  const asked = `${p.size}${p.size === 'custom' ? ` ${p.width}×${p.height}` : ` ${p.aspect_ratio}`} ${p.model} (about ${expected.width}×${expected.height})`
  if (area < want * low || area > Math.min(want * 4.5, MAX_PIXELS))
    return `a ${width}×${height} picture cannot answer a request for ${asked}`
  if (ratio !== undefined && Math.abs(width / height / ratio - 1) > 0.05)
    return `a ${width}×${height} picture does not have the ratio of ${asked}`
  return undefined
}
