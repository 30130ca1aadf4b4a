import type { ResolvedMarkup, ResolvedOutput } from './resolved'
import type { ProviderName } from './types'

const MiB = 1024 * 1024

/**
 * Every default, in one place: the resolvers read them from here, and a test checks that each
 * `@default` in the options' and specs' JSDoc says the same.
 */
export const DEFAULTS = {
  provider: 'segmind' as ProviderName,
  cacheDir: '.seedream',
  variantsCacheDir: 'node_modules/.cache/unplugin-seedream',
  concurrency: 4,
  retries: 4,
  timeout: 120_000,
  retryDelay: 1000,
  budget: { maxImages: 10, maxCost: Number.POSITIVE_INFINITY },
  lockStale: 10_000,
  maxImageBytes: 64 * MiB,
  maxReferenceBytes: 30 * MiB,
  dts: 'seedream-env.d.ts',
}

/**
 * What the variants are made from when neither the spec nor the options say. AVIF at sharp's own
 * defaults: no faster setting reaches their quality without larger files (bench/avif-defaults.txt).
 */
export const DEFAULT_OUTPUT: ResolvedOutput = {
  widths: [640, 1024, 1600, 2048],
  formats: ['avif', 'webp', 'jpeg'],
  quality: { avif: 50 },
  avifEffort: 4,
  placeholder: 'blur',
}

/** The dev server's AVIF effort at most: its pictures are never shipped, and effort 1 encodes ~18× faster at the same quality number (larger files). */
export const DEV_AVIF_EFFORT = 1

export const DEFAULT_MARKUP: ResolvedMarkup = { sizes: '100vw', loading: 'lazy', priority: false, imgStyle: 'max-width:100%;height:auto' }

/** A spec's picture fields when it leaves them out (`aspect_ratio` is `match_input_image` with references). */
export const DEFAULT_PICTURE = {
  model: 'seedream-4.5' as const,
  size: '2K' as const,
  aspect_ratio: '1:1',
  max_images: 1,
  sequential_image_generation: 'disabled' as const,
}

/**
 * Estimated price of one picture, in US dollars, by `provider/model`; the placeholder is free.
 * Segmind's are from its model pages (4.0 about $0.035, 4.5 about $0.04); the others are
 * estimates to override with your contract's.
 */
export const DEFAULT_PRICES: Record<string, number> = {
  'segmind/seedream-4': 0.035,
  'segmind/seedream-4.5': 0.04,
  'ark/seedream-4': 0.03,
  'ark/seedream-4.5': 0.04,
  'fal/seedream-4': 0.03,
  'fal/seedream-4.5': 0.04,
  'replicate/seedream-4': 0.03,
  'replicate/seedream-4.5': 0.04,
}

/** Each host's key variable, URL variable and default URL. */
export const HOSTS = {
  segmind: { key: 'SEGMIND_API_KEY', url: 'SEGMIND_API_URL', fallback: 'https://api.segmind.com' },
  ark: { key: 'ARK_API_KEY', url: 'ARK_API_URL', fallback: 'https://ark.ap-southeast.bytepluses.com/api/v3' },
  fal: { key: 'FAL_KEY', url: 'FAL_API_URL', fallback: 'https://queue.fal.run' },
  replicate: { key: 'REPLICATE_API_TOKEN', url: 'REPLICATE_API_URL', fallback: 'https://api.replicate.com/v1' },
}

/** Segmind's asset upload lives on its workflows host. */
export const SEGMIND_UPLOAD_URL = 'https://workflows-api.segmind.com/upload-asset'
