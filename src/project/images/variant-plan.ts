import type { ResolvedOutput } from '../../model/options'
import type { Original } from '../generation/original'
import type { Planned } from './variant-types'
import path from 'node:path'
import { canonicalJson, sha256 } from '../../model/key'
import { EXT } from './variant-types'

// 4: each variant's full sha256 in the manifest, checked when its bytes are read.
const VARIANTS_VERSION = 4

/** The widths to make: the requested ones the original can fill, or its own width if none can. */
export function targetWidths(requested: number[], originalWidth: number): number[] {
  const fit = requested.filter(w => w <= originalWidth)
  return fit.length ? fit : [originalWidth]
}

/** The canonical form of output settings, computed once per settings object. */
const outputKeys = new WeakMap<ResolvedOutput, string>()
export function outputKey(out: ResolvedOutput): string {
  if (!outputKeys.has(out))
    outputKeys.set(out, canonicalJson(out))
  return outputKeys.get(out)!
}

/**
 * Where an original's variants for these outputs are cached, and what the folder must hold: the
 * key hashes the original's content and the settings, so a folder is never reused for others.
 * Each target width in each format, named `<width>.<ext>`, in order.
 */
export function variantsPlan(original: Pick<Original, 'sha256' | 'width'>, out: ResolvedOutput, cacheDir: string): { dir: string, planned: Planned[] } {
  const vkey = sha256(`${VARIANTS_VERSION}|${original.sha256}|${outputKey(out)}`)
  const planned = targetWidths(out.widths, original.width).flatMap(width => out.formats.map(format => ({ width, format, file: `${width}.${EXT[format]}` })))
  return { dir: path.join(cacheDir, vkey.slice(0, 20)), planned }
}

/**
 * The name of a picture's variant set in the remote cache: by the spec's key, the picture's index
 * and the settings, all known before any request, so a runner asks for it at once (the pack says
 * which original it was made from, checked against the one this runner has).
 */
export function remotePackKey(specKey: string, index: number, out: ResolvedOutput): string {
  return sha256(`${VARIANTS_VERSION}|${specKey}|${index}|${outputKey(out)}`)
}

/**
 * The planned outputs' indexes, the slowest encode first: AVIF (an order of magnitude slower than
 * the others), then by pixels. Queued in this order, the short encodes fill the cores at the end
 * of a cold build instead of one large AVIF running alone while the other cores wait.
 */
export function slowestFirst(planned: Planned[]): number[] {
  const cost = (p: Planned) => p.width * p.width * (p.format === 'avif' ? 16 : 1)
  return planned.map((_, i) => i).sort((a, b) => cost(planned[b]!) - cost(planned[a]!))
}
