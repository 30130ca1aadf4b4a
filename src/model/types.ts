import type { MarkupOptions } from './markup-types'
import type { ASPECT_RATIOS, FORMATS, MODELS, OTHER_HOSTS, PLACEHOLDERS, PROVIDERS, SEQUENTIAL, SIZES } from './schema'

export type SeedreamModel = typeof MODELS[number]
export type SeedreamSize = typeof SIZES[number]
export type AspectRatio = typeof ASPECT_RATIOS[number]
export type ImageFormat = typeof FORMATS[number]
export type ProviderName = typeof PROVIDERS[number]
export type PlaceholderKind = typeof PLACEHOLDERS[number]
export type { Loading } from './markup-types'
export type SequentialGeneration = typeof SEQUENTIAL[number]
export type OtherHost = typeof OTHER_HOSTS[number]

/** Output settings; set globally in the options or per spec. */
export interface OutputOptions extends MarkupOptions {
  /**
   * Widths of the emitted variants, in pixels; never upscaled past the original.
   * @default [640, 1024, 1600, 2048]
   */
  widths?: number[]
  /**
   * Formats of the emitted variants; the last one is the fallback used for `src`.
   * @default ['avif', 'webp', 'jpeg']
   */
  formats?: ImageFormat[]
  /**
   * Encoder quality (1–100), one number for all formats or one per format.
   * @default { avif: 50, webp: 80, jpeg: 80 } (png is lossless); see the README for how AVIF's was chosen
   */
  quality?: number | Partial<Record<ImageFormat, number>>
  /**
   * AVIF encoder effort, 0 (fastest) to 9 (smallest); AVIF dominates build time. The dev server
   * encodes at effort 1 at most, since its pictures are never shipped.
   * @default 4
   */
  avifEffort?: number
  /**
   * The low-quality placeholder exported as `placeholder`: a blurred ~100-byte WebP data URI,
   * a ThumbHash (also exported as `thumbhash`) rendered to a data URI, only the `color`, or none.
   * @default 'blur'
   */
  placeholder?: PlaceholderKind
}

/**
 * One image to generate. Field names follow Segmind's request body (snake_case), so a request
 * body can be pasted as a spec.
 */
export interface SeedreamSpec extends OutputOptions {
  /** What to draw. Required: it has no default. */
  prompt: string
  /**
   * The Seedream model.
   * @default 'seedream-4.5'
   */
  model?: SeedreamModel
  /**
   * Resolution preset: 1K/2K/4K fix one side at 1024/2048/4096; `custom` uses width/height.
   * @default '2K'
   */
  size?: SeedreamSize
  /**
   * Width in pixels (1024–4096, rounded to 64); used only with `size: 'custom'`. Beside a preset
   * it is ignored with a warning, as the API ignores it (its samples send it).
   * @default undefined (set by `size` and `aspect_ratio`)
   */
  width?: number
  /**
   * Height in pixels (1024–4096, rounded to 64); used only with `size: 'custom'`. Beside a preset
   * it is ignored with a warning, as the API ignores it (its samples send it).
   * @default undefined (set by `size` and `aspect_ratio`)
   */
  height?: number
  /**
   * Proportions of the picture.
   * @default '1:1', or 'match_input_image' when `image_input` is set
   */
  aspect_ratio?: AspectRatio
  /**
   * How many pictures to generate (1–15); `images` on the module holds all of them.
   * @default 1
   */
  max_images?: number
  /**
   * `auto` lets the model generate a related series.
   * @default 'disabled'
   */
  sequential_image_generation?: SequentialGeneration
  /**
   * Reference images: http(s) URLs or paths to local images, 1 to 14 (more than 3 warns: Segmind's
   * pages say 1–3); with `max_images`, at most 15.
   * @default undefined (text to image)
   */
  image_input?: string | string[]
  /**
   * Seed passed to the provider where it takes one.
   * @default undefined (the provider picks one)
   */
  seed?: number
  /**
   * Pictures to choose from (1–8), each a whole generation at the full price. The module exports
   * the one picked with `seedream pick` or the review page (until then the first); once picked, a
   * build needs that one only. `seedream reroll` asks for one more. A fixed `seed` gives candidate n seed + n - 1.
   * @default 1
   */
  candidates?: number
  /**
   * Alternative text exported as `alt`.
   * @default the prompt
   */
  alt?: string
  /**
   * Which service generates this image.
   * @default the `provider` option
   */
  provider?: ProviderName
}

/** One responsive picture, as exported by a `?seedream` module. */
export interface SeedreamPicture {
  /** URL of the largest variant in the fallback format (the last of `formats`). */
  src: string
  width: number
  height: number
  /** `srcset` of the fallback format. */
  srcset: string
  /** One entry per modern format, modern formats first, for `<source>` elements. */
  sources: Array<{ type: string, srcset: string }>
  /** The format of `src` (the fallback): Astro's `ImageMetadata` wants it. */
  format: ImageFormat
  /** A tiny data URI (blur or ThumbHash), or `undefined` with placeholder 'color' or 'none'. */
  placeholder?: string
  /** The same data URI as `placeholder`, under the name next/image's `StaticImageData` uses (`placeholder="blur"`). */
  blurDataURL?: string
  /** The ThumbHash in base64, with placeholder 'thumbhash'. */
  thumbhash?: string
  /** Dominant colour as `#rrggbb`. */
  color: string
  /** A ready `<picture>` element: sources, width, height, alt, sizes, loading, decoding. */
  html: string
}

/** The default export of a `?seedream` module. */
export interface SeedreamImage extends SeedreamPicture {
  alt: string
  prompt: string
  /** Every picture of the spec; the first one is the module itself. */
  images: SeedreamPicture[]
}
