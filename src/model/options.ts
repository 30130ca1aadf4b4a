import type { Budget } from './budget'
import type { HostOptions } from './host-options'
import type { RemoteOptions } from './remote-options'
import type { OutputOptions, ProviderName, SeedreamSpec } from './types'

/** Plugin options; the same shape is accepted by the `seedream` config file. */
export interface Options extends OutputOptions {
  /**
   * Named specs, imported as `import hero from 'hero?seedream'`.
   * @default {}
   */
  images?: Record<string, SeedreamSpec>
  /**
   * Project root: where the config file is looked up and `cacheDir` is resolved.
   * @default Vite's `root`, else `process.cwd()`
   */
  root?: string
  /**
   * Which service generates images: `segmind`, `ark` (BytePlus ModelArk), `fal`, `replicate`;
   * `placeholder` draws marked local stand-ins offline. A spec may choose its own.
   * @default 'segmind'
   */
  provider?: ProviderName
  /**
   * BytePlus ModelArk: key and base URL.
   * @default { apiKey: process.env.ARK_API_KEY, apiUrl: process.env.ARK_API_URL ?? 'https://ark.ap-southeast.bytepluses.com/api/v3' }
   */
  ark?: HostOptions
  /**
   * fal.ai: key and queue base URL.
   * @default { apiKey: process.env.FAL_KEY, apiUrl: process.env.FAL_API_URL ?? 'https://queue.fal.run' }
   */
  fal?: HostOptions
  /**
   * Replicate: token and base URL.
   * @default { apiKey: process.env.REPLICATE_API_TOKEN, apiUrl: process.env.REPLICATE_API_URL ?? 'https://api.replicate.com/v1' }
   */
  replicate?: HostOptions
  /**
   * Segmind API key. Prefer the environment variable: this value is never written anywhere.
   * @default process.env.SEGMIND_API_KEY
   */
  apiKey?: string
  /**
   * Segmind API base URL.
   * @default process.env.SEGMIND_API_URL ?? 'https://api.segmind.com'
   */
  apiUrl?: string
  /**
   * Where local reference images are uploaded for Segmind.
   * @default process.env.SEGMIND_UPLOAD_URL ?? 'https://workflows-api.segmind.com/upload-asset' (with a custom apiUrl: `${apiUrl}/upload-asset`)
   */
  uploadUrl?: string
  /**
   * Folder of generated originals, relative to `root`. Commit it: it is the source of truth.
   * @default '.seedream'
   */
  cacheDir?: string
  /**
   * Folder of sharp variants, relative to `root`; safe to delete.
   * @default 'node_modules/.cache/unplugin-seedream'
   */
  variantsCacheDir?: string
  /**
   * Generation requests in flight at once.
   * @default 4
   */
  concurrency?: number
  /**
   * Retries of a request that failed with 429/5xx, a reset or a timeout.
   * @default 4
   */
  retries?: number
  /**
   * Time allowed for one generation request, in milliseconds.
   * @default 120000
   */
  timeout?: number
  /**
   * Delay before the first retry, in milliseconds; doubled on each retry, with jitter.
   * @default 1000
   */
  retryDelay?: number
  /**
   * Never call the API: a missing image fails the build, naming every missing spec.
   * @default true when SEEDREAM_FROZEN=1, or when CI is set and no key is; else false
   */
  frozen?: boolean
  /**
   * Ship the offline `placeholder` provider's pictures on purpose. Else a CI or frozen build and
   * `status --check` refuse them by name, and a production build warns by name.
   * @default false
   */
  allowPlaceholders?: boolean
  /**
   * What one build may generate before it stops with zero calls.
   * @default { maxImages: 10, maxCost: Infinity }
   */
  budget?: Budget
  /**
   * Estimated US dollars per picture by `provider/model`, for the budget and the summaries.
   * @default { 'segmind/seedream-4': 0.035, 'segmind/seedream-4.5': 0.04, 'ark/seedream-4': 0.03, 'ark/seedream-4.5': 0.04, 'fal/seedream-4': 0.03, 'fal/seedream-4.5': 0.04, 'replicate/seedream-4': 0.03, 'replicate/seedream-4.5': 0.04 }
   */
  prices?: Record<string, number>
  /**
   * After how many milliseconds without a refresh another process's lock on a key is taken
   * over (its holder died).
   * @default 10000
   */
  lockStale?: number
  /**
   * Largest answer accepted from a provider (one picture, or a JSON body), in bytes (at least
   * 1024): a bigger one is refused instead of filling memory.
   * @default 67108864 (64 MiB)
   */
  maxImageBytes?: number
  /**
   * Largest local reference image (`image_input`) read, in bytes (at least 1024).
   * @default 31457280 (30 MiB)
   */
  maxReferenceBytes?: number
  /**
   * The named specs' declaration file, relative to the root (add it to tsconfig's `include`), or
   * `false`. Rewritten when a build or dev server starts and when the config changes.
   * @default 'seedream-env.d.ts'
   */
  dts?: string | false
  /**
   * A shared cache on S3-compatible storage (`'s3://bucket/prefix'` or `{ url, endpoint, region, … }`):
   * read before paying a provider or running sharp, written after. `false` ignores SEEDREAM_REMOTE.
   * @default process.env.SEEDREAM_REMOTE (none when unset)
   */
  remote?: RemoteOptions | string | false
  /**
   * Look for a `seedream` config file (seedream.config.*, .seedreamrc*, package.json#seedream).
   * @default true
   */
  configFile?: boolean
}

export type { Budget } from './budget'
export type { HostOptions } from './host-options'
export type { RemoteOptions, ResolvedRemote } from './remote-options'
export type { OtherHost } from './types'
export type { ResolvedHost, ResolvedMarkup, ResolvedOptions, ResolvedOutput } from './resolved'
