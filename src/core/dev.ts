import type { IncomingMessage, ServerResponse } from 'node:http'
import type { LimitFunction } from 'p-limit'
import type { ResolvedOutput } from './options'
import type { Original } from './originals'
import type { ResolvedSpec } from './spec'
import type { Summary, Variant } from './variants'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { formatRoles, withMarkup } from './emit'
import { writeFileAtomic } from './atomic'
import { sha256 } from './key'
import { readRegularFile } from './safe-read'
import { encode, EXT, MIME, outputKey, summary, targetWidths } from './variants'

export const DEV_PREFIX = '@seedream/'

/** A variant an earlier dev server encoded, if it is a regular file whose hash its sidecar records. */
async function readChecked(file: string): Promise<Buffer | undefined> {
  const [data, hash] = await Promise.all([readRegularFile(file, { max: 64 * 1024 * 1024 }), readRegularFile(`${file}.sha256`, { max: 64 })])
    .catch(() => [undefined, undefined])
  return data && hash && sha256(data) === hash.toString('utf8') ? data : undefined
}

/**
 * Dev-server pictures: the module is written from the original's size alone, and each variant
 * is encoded when the browser first asks for it. URLs hold the original's hash and the output
 * options' hash, so they never change meaning and are served as immutable.
 */
export function createDevVariants(cacheDir: string, pool: LimitFunction) {
  const sources = new Map<string, { original: Original, out: ResolvedOutput }>()
  const summaries = new Map<string, Promise<Summary>>()

  async function picture(original: Original, out: ResolvedOutput, base: string) {
    const id = `${original.sha256.slice(0, 16)}/${sha256(outputKey(out)).slice(0, 8)}`
    sources.set(id, { original, out })
    const widths = targetWidths(out.widths, original.width)
    const url = (w: number, f: Variant['format']) => `${base}${DEV_PREFIX}${id}/${w}.${EXT[f]}`
    const height = (w: number) => Math.round((original.height * w) / original.width)
    const srcset = (f: Variant['format']) => widths.map(w => `${url(w, f)} ${w}w`).join(', ')
    const { fallback, modern } = formatRoles(out.formats)
    const largest = widths.at(-1)!
    if (!summaries.has(id))
      summaries.set(id, original.load().then(data => summary({ data }, out.placeholder)))
    return {
      src: url(largest, fallback),
      width: largest,
      height: height(largest),
      srcset: srcset(fallback),
      sources: modern.map(f => ({ type: MIME[f], srcset: srcset(f) })),
      ...await summaries.get(id)!,
    }
  }

  async function serve(rel: string, res: ServerResponse): Promise<boolean> {
    const match = rel.match(/^([0-9a-f]{16}\/[0-9a-f]{8})\/(\d+)\.(\w+)$/)
    const entry = match && sources.get(match[1]!)
    const format = match && (Object.keys(EXT) as Variant['format'][]).find(f => EXT[f] === match[3])
    if (!entry || !format)
      return false
    const file = path.join(cacheDir, 'dev', `${match[1]!.replace('/', '-')}-${match[2]}.${match[3]}`)
    let data = await readChecked(file)
    if (!data) {
      ;({ data } = await pool(async () => encode({ data: await entry.original.load() }, entry.out, Number(match[2]), format)))
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

  return { picture, middleware }
}

/**
 * Dev module code: importers keep one object, which a hot update fills in place; `<img>` and
 * `<source>` elements still showing the old URLs are switched, so the page needs no reload.
 */
export function devModuleCode(spec: ResolvedSpec, pictures: object[]): string {
  return `${withMarkup(spec, JSON.stringify(pictures))}
const next = { ...images[0], alt, prompt, images };
const hot = import.meta.hot;
const image = hot?.data.image ?? next;
if (import.meta.hot) {
  const previous = hot.data.previous;
  if (previous && typeof document !== 'undefined') {
    const swap = new Map();
    previous.images.forEach((old, i) => {
      const now = next.images[i] ?? next.images[0];
      swap.set(old.src, now.src).set(old.srcset, now.srcset);
      old.sources.forEach((s, j) => swap.set(s.srcset, (now.sources[j] ?? now.sources[0] ?? now).srcset));
    });
    for (const el of document.querySelectorAll('img, source')) {
      for (const attr of ['src', 'srcset']) {
        const value = el.getAttribute(attr);
        if (value && swap.has(value)) el.setAttribute(attr, swap.get(value));
      }
    }
  }
  if (image !== next) { for (const k of Object.keys(image)) delete image[k]; Object.assign(image, next); }
  hot.data.image = image;
  hot.data.previous = next;
  import.meta.hot.accept();
  if (previous && typeof window !== 'undefined') window.dispatchEvent(new CustomEvent('seedream:update', { detail: image }));
}
export default image;
`
}
