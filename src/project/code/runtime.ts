import type { ResolvedMarkup } from '../../model/resolved'
import type { SeedreamImage, SeedreamPicture } from '../../model/types'

/*
 * The code every `?seedream` module imports, written once as TypeScript and served as the virtual
 * runtime module from each function's own source text (`Function.prototype.toString()`). So each
 * function here must be self-contained: it may use its parameters, global browser APIs and the
 * other functions in RUNTIME, nothing else (no imports at run time, no module constants). Nested
 * functions stay inline callbacks: a compiler keeping names (esbuild's keepNames) wraps a named
 * inner function in a `__name()` helper that the served module would not have.
 */

/** A picture as a module writes it, before its markup is added. */
export type PictureData = Omit<SeedreamPicture, 'html'>

/** `import.meta.hot` as far as the runtime uses it (Vite's dev server; undefined elsewhere). */
export interface HotContext {
  data: { image?: SeedreamImage, previous?: SeedreamImage }
}

/** Escapes a value for an HTML attribute in double quotes. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"]/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' } as Record<string, string>)[c]!)
}

/**
 * Adds `html`, a `<picture>` element, to each picture: one `<source>` per modern format, then the
 * fallback `<img>`. URLs are only known once a bundled module runs, so the markup is built there.
 */
export function withHtml(images: PictureData[], alt: string, markup: ResolvedMarkup): SeedreamPicture[] {
  const { sizes, loading, priority, imgStyle } = markup
  return images.map(p => ({
    ...p,
    html: '<picture>'
      + p.sources.map(s => `<source type="${s.type}" srcset="${esc(s.srcset)}" sizes="${esc(sizes)}">`).join('')
      + `<img src="${esc(p.src)}" srcset="${esc(p.srcset)}" sizes="${esc(sizes)}" width="${p.width}" height="${p.height}"`
      + ` alt="${esc(alt)}" loading="${loading}"${priority ? ' fetchpriority="high"' : ''} decoding="async"${imgStyle ? ` style="${esc(imgStyle)}"` : ''}></picture>`,
  }))
}

/**
 * Points `<img>` and `<source>` elements still showing a previous version's URLs at the next
 * version's: markup copied from `html` into the page is not re-rendered by a hot update.
 */
export function swapUrls(previous: SeedreamImage, next: SeedreamImage): void {
  const swap = new Map<string, string>()
  previous.images.forEach((old, i) => {
    // A spec now drawing fewer pictures maps the extra ones to its first.
    const now = next.images[i] ?? next.images[0]!
    swap.set(old.src, now.src).set(old.srcset, now.srcset)
    old.sources.forEach((s, j) => swap.set(s.srcset, (now.sources[j] ?? now.sources[0] ?? now).srcset))
  })
  for (const el of document.querySelectorAll('img, source')) {
    for (const attr of ['src', 'srcset']) {
      const value = el.getAttribute(attr)
      if (value && swap.has(value))
        el.setAttribute(attr, swap.get(value)!)
    }
  }
}

/**
 * Returns the object a dev module exports. Under hot updates (`hot` is `import.meta.hot`) every
 * version returns the same object, filled in place with the next version, so importers holding
 * the first one see the new pictures; the page's elements are switched to the new URLs and a
 * `seedream:update` event (detail: the image) tells the app, only when there was a previous
 * version. Without a document or window (SSR) only the object is updated.
 */
export function keepUpdated(hot: HotContext | undefined, next: SeedreamImage): SeedreamImage {
  if (!hot)
    return next
  const previous = hot.data.previous
  const image = hot.data.image ?? next
  if (previous && typeof document !== 'undefined')
    swapUrls(previous, next)
  if (image !== next) {
    for (const k of Object.keys(image))
      delete (image as unknown as Record<string, unknown>)[k]
    Object.assign(image, next)
  }
  hot.data.image = image
  hot.data.previous = next
  if (previous && typeof window !== 'undefined')
    window.dispatchEvent(new CustomEvent('seedream:update', { detail: image }))
  return image
}

/** What the runtime module exports, by the name modules import; helpers follow them. */
const RUNTIME = { withHtml, keepUpdated, esc, swapUrls }

/**
 * The runtime module's code: each function's compiled source, then one export list. A bundler
 * building this plugin may rename a function that clashes with another in its chunk (`esc2`);
 * its source and every call to it say the new name, so the export list uses the declared name.
 */
export function runtimeModuleCode(): string {
  const exported = Object.entries(RUNTIME).map(([name, fn]) => {
    const source = fn.toString()
    const declared = source.match(/^function ([\w$]+)\(/)?.[1]
    if (!declared)
      throw new Error(`unplugin-seedream: the runtime function ${name} was compiled to something other than a function declaration`)
    return { name, declared, source }
  })
  return `${exported.map(f => f.source).join('\n')}
export { ${exported.map(f => f.declared === f.name ? f.name : `${f.declared} as ${f.name}`).join(', ')} };
`
}
