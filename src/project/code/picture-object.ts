import type { ResolvedSpec } from '../../model/resolved'
import type { SeedreamPicture } from '../../model/types'
import type { VariantSet } from '../images/variants'
import { MIME } from '../images/variant-types'
import { formatRoles } from './module'

/**
 * One picture as a plain object, its URLs known now (the function API writes files itself):
 * the same fields, in the same order, as the code emitPicture writes for a bundle.
 */
export function pictureObject(set: VariantSet, spec: ResolvedSpec, urls: string[]): Omit<SeedreamPicture, 'html'> {
  const items = set.variants.map((v, i) => ({ v, url: urls[i]! }))
  const { fallback, modern } = formatRoles(spec.output.formats)
  const byFormat = (f: string) => items.filter(u => u.v.format === f).sort((a, b) => a.v.width - b.v.width)
  const srcset = (f: string) => byFormat(f).map(u => `${u.url} ${u.v.width}w`).join(', ')
  const largest = byFormat(fallback).at(-1)!
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
