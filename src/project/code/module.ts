import type { ResolvedSpec } from '../../model/spec'
import type { Variant } from '../images/variant-types'
import type { VariantSet } from '../images/variants'
import path from 'node:path'
import { RUNTIME_REQUEST } from '../../model/ids'
import { EXT, MIME } from '../images/variant-types'
import { pictureLayout } from './picture-object'
import { runtimeModuleCode } from './runtime'

/** Emits one asset (a variant's bytes, already verified) and returns a JavaScript expression for its URL. */
export interface EmitAsset {
  (fileName: string, source: Uint8Array): Promise<string>
  /** The bundler's warnings: emitPicture is handed `emit` alone, and reports a remade cache through it. */
  warn?: (message: string) => void
}

/**
 * Where a bundler wants an asset, as a Rollup `assetFileNames` pattern for one asset name
 * (`hero-640.avif`): `[name]`, `[hash]` (or `[hash:N]`), `[extname]`, `[ext]`.
 */
export type AssetNames = (assetName: string) => string

/** The default, and esbuild's, webpack's and the function API's (with their folder). */
export const assetNames = (dir: string): AssetNames => () => path.posix.join(dir, '[name].[hash][extname]')

/** `assets/hero-640.1a2b3c4d5e.avif` by default: the spec's name and width, a hash of the bytes, where `names` says. */
export function assetFileName(names: AssetNames, specName: string, v: Variant): string {
  const base = `${specName.replace(/[^\w-]+/g, '-').replace(/^-+|-+$/g, '') || 'image'}-${v.width}`
  const ext = EXT[v.format]
  return names(`${base}.${ext}`).replace(/\[(name|hash|extname|ext)(?::(\d+))?\]/g, (_, field: string, size?: string) =>
    field === 'name' ? base : field === 'ext' ? ext : field === 'extname' ? `.${ext}` : v.sha256.slice(0, size ? Number(size) : 10))
}

const srcsetCode = (items: Array<{ url: string, width: number }>) =>
  items.map(i => `${i.url} + " ${i.width}w"`).join(' + ", " + ') || '""'

/** The warning for a variants cache folder that failed its checks and was remade. */
export function cacheRemade(spec: ResolvedSpec, set: VariantSet): string {
  return `"${spec.name}" (${spec.file ?? 'options'}): the cached variants in ${set.dir} failed a check (${set.problem}); remade from the original, nothing of them shipped`
}

/** Emits every variant of one picture and returns the code of its `SeedreamPicture` object. */
export async function emitPicture(set: VariantSet, spec: ResolvedSpec, names: AssetNames, emit: EmitAsset): Promise<string> {
  if (set.problem)
    emit.warn?.(cacheRemade(spec, set))
  // The bytes makeVariants verified (or encoded): the cache is not read again between check and use.
  const urls = await Promise.all(set.variants.map((v, i) => emit(assetFileName(names, spec.name, v), set.data[i]!)))
  const { fallback, modern, byFormat, largest } = pictureLayout(set, spec, urls)
  const srcset = (f: string) => srcsetCode(byFormat(f).map(u => ({ url: u.url, width: u.v.width })))
  const sources = modern.map(f => `{ type: ${JSON.stringify(MIME[f])}, srcset: ${srcset(f)} }`)
  return `{
    src: ${largest.url},
    width: ${largest.v.width},
    height: ${largest.v.height},
    srcset: ${srcset(fallback)},
    sources: [${sources.join(', ')}],
    format: ${JSON.stringify(fallback)},
    placeholder: ${JSON.stringify(set.placeholder)},
    blurDataURL: ${JSON.stringify(set.placeholder)},
    thumbhash: ${JSON.stringify(set.thumbhash)},
    color: ${JSON.stringify(set.color)},
  }`
}

/**
 * The `<link rel="preload" as="image">` attributes of a priority picture: its first modern
 * format (AVIF by default), which a browser without it skips, at the sizes of its markup.
 */
export function preloadAttrs(set: VariantSet, spec: ResolvedSpec, names: AssetNames, url: (fileName: string) => string): Record<string, string> {
  const { fallback, modern, byFormat } = pictureLayout(set, spec, set.variants.map(v => url(assetFileName(names, spec.name, v))))
  const format = modern[0] ?? fallback
  const imagesrcset = byFormat(format).map(u => `${u.url} ${u.v.width}w`).join(', ')
  return { rel: 'preload', as: 'image', type: MIME[format], imagesrcset, imagesizes: spec.markup.sizes, fetchpriority: 'high' }
}

/**
 * Code shared by every `?seedream` module, served once as a virtual module: it adds `html` (a
 * `<picture>` element) to each picture, and keeps dev modules' objects updated (see runtime.ts).
 */
export const RUNTIME_CODE = runtimeModuleCode()

/**
 * The head of a module: its pictures (a code expression) with their markup, its alt and prompt;
 * `imports` are further names the module takes from the runtime.
 */
export function withMarkup(spec: ResolvedSpec, imagesExpression: string, imports: string[] = []): string {
  return `import { ${['withHtml', ...imports].join(', ')} } from ${JSON.stringify(RUNTIME_REQUEST)};
const alt = ${JSON.stringify(spec.alt)};
const prompt = ${JSON.stringify(spec.picture.prompt)};
const images = withHtml(${imagesExpression}, alt, ${JSON.stringify(spec.markup)});`
}

/** The module's code: the first picture spread at the top, every picture in `images`. */
export function moduleCode(spec: ResolvedSpec, pictures: string[]): string {
  return `${withMarkup(spec, `[${pictures.join(',\n')}]`)}
export default { ...images[0], alt, prompt, images };
`
}
