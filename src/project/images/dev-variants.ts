import type { IncomingMessage, ServerResponse } from 'node:http'
import type { LimitFunction } from 'p-limit'
import type { ResolvedOutput } from '../../model/options'
import type { Original } from '../generation/originals'
import type { Stats } from 'node:fs'
import type { Summary, Variant } from './variant-types'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { formatRoles } from '../code/picture-object'
import { writeFileAtomic } from '../store/atomic'
import { DEV_AVIF_EFFORT } from '../../model/defaults'
import { sha256 } from '../../model/key'
import { markUsed, pruneDevCache } from '../store/retention'
import { readRegularFile } from '../store/safe-read'
import { EXT, MIME } from './variant-types'
import { devSummary } from './dev-summary'
import { encode, outputKey, targetWidths } from './variants'

export const DEV_PREFIX = '@seedream/'

/**
 * Picture ids the dev server can serve, least recently registered or served first. Each holds
 * its original (the bytes, for an offline placeholder) and summary, and every spec edit makes a
 * new id, so a long session would keep them all: past the limit the oldest is dropped, and a
 * request for it falls through to the next middleware (a 404) until its module loads again.
 * A plain LRU rather than dropping superseded ids: nothing here knows which spec an id is for.
 * 500 is far above a page's count of pictures; an entry is small (a stored original is read when
 * needed), but for an offline placeholder, which holds its JPEG.
 */
const MAX_IDS = 500

/** A variant an earlier dev server encoded, if it is a regular file whose hash its sidecar records. */
async function readChecked(file: string): Promise<Buffer | undefined> {
  let stat: Stats | undefined
  const [data, hash] = await Promise.all([readRegularFile(file, { max: 64 * 1024 * 1024 }, (s) => { stat = s }), readRegularFile(`${file}.sha256`, { max: 64 })])
    .catch(() => [undefined, undefined])
  if (!data || !hash || sha256(data) !== hash.toString('utf8'))
    return undefined
  // Its last use, for pruneDevCache: at most one utimes a day.
  await markUsed(file, stat!)
  return data
}

/**
 * Dev-server pictures: the module is written from the original's size alone, and each variant
 * is encoded when the browser first asks for it. URLs hold the original's hash and the output
 * options' hash, so they never change meaning and are served as immutable.
 */
export function createDevVariants(cacheDir: string, pool: LimitFunction, maxIds = MAX_IDS) {
  const pictures = new Map<string, { original: Original, out: ResolvedOutput, summary: Promise<Summary> }>()
  // Once per dev server, in the background: files not served for 30 days go (see retention.ts).
  const pruned = pruneDevCache(path.join(cacheDir, 'dev')).catch(() => undefined)

  /** The entry for `id`, moved to the young end of the map (which keeps insertion order). */
  function use(id: string, make?: () => { original: Original, out: ResolvedOutput, summary: Promise<Summary> }) {
    const entry = pictures.get(id) ?? make?.()
    if (!entry)
      return undefined
    pictures.delete(id)
    pictures.set(id, entry)
    if (pictures.size > maxIds)
      pictures.delete(pictures.keys().next().value!)
    return entry
  }

  async function picture(original: Original, out: ResolvedOutput, base: string) {
    const id = `${original.sha256.slice(0, 16)}/${sha256(outputKey(out)).slice(0, 8)}`
    const entry = use(id, () => ({ original, out, summary: devSummary(path.join(cacheDir, 'dev'), id, original, out) }))!
    const widths = targetWidths(out.widths, original.width)
    const url = (w: number, f: Variant['format']) => `${base}${DEV_PREFIX}${id}/${w}.${EXT[f]}`
    const height = (w: number) => Math.round((original.height * w) / original.width)
    const srcset = (f: Variant['format']) => widths.map(w => `${url(w, f)} ${w}w`).join(', ')
    const { fallback, modern } = formatRoles(out.formats)
    const largest = widths.at(-1)!
    const { color, placeholder, thumbhash } = await entry.summary
    return {
      src: url(largest, fallback),
      width: largest,
      height: height(largest),
      srcset: srcset(fallback),
      sources: modern.map(f => ({ type: MIME[f], srcset: srcset(f) })),
      format: fallback,
      color,
      placeholder,
      thumbhash,
      blurDataURL: placeholder,
    }
  }

  async function serve(rel: string, res: ServerResponse): Promise<boolean> {
    const match = rel.match(/^([0-9a-f]{16}\/[0-9a-f]{8})\/(\d+)\.(\w+)$/)
    const entry = match && use(match[1]!)
    const format = match && (Object.keys(EXT) as Variant['format'][]).find(f => EXT[f] === match[3])
    if (!entry || !format)
      return false
    const file = path.join(cacheDir, 'dev', `${match[1]!.replace('/', '-')}-${match[2]}.${match[3]}`)
    let data = await readChecked(file)
    if (!data) {
      const out = { ...entry.out, avifEffort: Math.min(entry.out.avifEffort, DEV_AVIF_EFFORT) }
      ;({ data } = await pool(async () => encode({ data: await entry.original.load() }, out, Number(match[2]), format)))
      await mkdir(path.dirname(file), { recursive: true })
      await writeFileAtomic(file, data)
      await writeFileAtomic(`${file}.sha256`, sha256(data))
    }
    res.setHeader('Content-Type', MIME[format])
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable')
    res.end(data)
    return true
  }

  function middleware(req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void): void {
    const url = req.url?.split('?')[0] ?? ''
    const at = url.indexOf(`/${DEV_PREFIX}`)
    if (at < 0)
      return next()
    serve(decodeURIComponent(url.slice(at + DEV_PREFIX.length + 1)), res).then(done => done || next(), next)
  }

  return { picture, middleware, pruned }
}
