import type { ResolvedSpec } from '../../model/resolved'
import type { SeedreamPicture } from '../../model/types'
import type { VariantSet } from '../images/variants'
import { MIME } from '../images/variant-types'

/** Most modern first; the fallback (`src`, `srcset`) is JPEG or PNG when present, else the least modern. */
const MODERNITY = ['avif', 'webp', 'png', 'jpeg'] as const
export function formatRoles(formats: Array<keyof typeof MIME>) {
  const ordered = MODERNITY.filter(f => formats.includes(f))
  const fallback = ordered.find(f => f === 'jpeg' || f === 'png') ?? ordered.at(-1)!
  return { fallback, modern: ordered.filter(f => f !== fallback) }
}

/**
 * Where each variant goes in a picture, whatever its URL is (a string, or a code expression):
 * `src` is the widest in the fallback format, and each format's srcset lists its widths in order.
 */
export function pictureLayout<U>(set: VariantSet, spec: ResolvedSpec, urls: U[]) {
  const items = set.variants.map((v, i) => ({ v, url: urls[i]! }))
  const { fallback, modern } = formatRoles(spec.output.formats)
  const byFormat = (f: string) => items.filter(u => u.v.format === f).sort((a, b) => a.v.width - b.v.width)
  return { fallback, modern, byFormat, largest: byFormat(fallback).at(-1)! }
}

/**
 * One picture as a plain object, its URLs known now (the function API writes files itself):
 * the same fields, in the same order, as the code emitPicture writes for a bundle.
 */
export function pictureObject(set: VariantSet, spec: ResolvedSpec, urls: string[]): Omit<SeedreamPicture, 'html'> {
  const { fallback, modern, byFormat, largest } = pictureLayout(set, spec, urls)
  const srcset = (f: string) => byFormat(f).map(u => `${u.url} ${u.v.width}w`).join(', ')
  return {
    src: largest.url,
    width: largest.v.width,
    height: largest.v.height,
    srcset: srcset(fallback),
    sources: modern.map(f => ({ type: MIME[f], srcset: srcset(f) })),
    format: fallback,
    placeholder: set.placeholder,
    blurDataURL: set.placeholder,
    thumbhash: set.thumbhash,
    color: set.color,
  }
}
