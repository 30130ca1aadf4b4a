import type { OutputOptions, ProviderName, SeedreamSpec } from '../types'
import type { Budget } from './guard'
import os from 'node:os'
import path from 'node:path'
import { DEFAULT_PRICES } from './guard'

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
   * What one build may generate before it stops with zero calls.
   * @default { maxImages: 10, maxCost: Infinity }
   */
  budget?: Budget
  /**
   * Estimated US dollars per picture by `provider/model`, for the budget and the summaries.
   * @default { 'segmind/seedream-4': 0.04, 'segmind/seedream-4.5': 0.04 }
   */
  prices?: Record<string, number>
  /**
   * After how many milliseconds without a refresh another process's lock on a key is taken
   * over (its holder died).
   * @default 10000
   */
  lockStale?: number
  /**
   * Look for a `seedream` config file (seedream.config.*, .seedreamrc*, package.json#seedream).
   * @default true
   */
  configFile?: boolean
}

/** What the variants are made from: part of their cache key. */
/** Where and with which key one provider is reached. */
export interface HostOptions {
  /** The provider's key; prefer its environment variable. */
  apiKey?: string
  /** Base URL; tests point it at a loopback server. */
  apiUrl?: string
}

export type OtherHost = 'ark' | 'fal' | 'replicate'

const HOSTS: Record<OtherHost, { key: string, url: string, fallback: string }> = {
  ark: { key: 'ARK_API_KEY', url: 'ARK_API_URL', fallback: 'https://ark.ap-southeast.bytepluses.com/api/v3' },
  fal: { key: 'FAL_KEY', url: 'FAL_API_URL', fallback: 'https://queue.fal.run' },
  replicate: { key: 'REPLICATE_API_TOKEN', url: 'REPLICATE_API_URL', fallback: 'https://api.replicate.com/v1' },
}

/** What a resolved host carries, the name of its key's variable included (for messages). */
export interface ResolvedHost { apiKey?: string, apiUrl: string, keyVariable: string }

export interface ResolvedOutput {
  widths: number[]
  formats: Array<'avif' | 'webp' | 'jpeg' | 'png'>
  quality: Partial<Record<'avif' | 'webp' | 'jpeg' | 'png', number>>
  avifEffort: number
  placeholder: 'blur' | 'color' | 'thumbhash' | 'none'
}

/** What only the markup uses: changing it remakes no variant. */
export interface ResolvedMarkup {
  sizes: string
  loading: 'lazy' | 'eager'
}

export interface ResolvedOptions {
  root: string
  images: Record<string, SeedreamSpec>
  /** The file the named specs came from, for error messages. */
  configPath?: string
  provider: ProviderName
  apiKey?: string
  apiUrl: string
  uploadUrl: string
  hosts: Record<OtherHost, ResolvedHost>
  cacheDir: string
  variantsCacheDir: string
  concurrency: number
  sharpConcurrency: number
  retries: number
  timeout: number
  retryDelay: number
  output: OutputOptions
  frozen: boolean
  budget: Required<Budget>
  prices: Record<string, number>
  lockStale: number
}

export const DEFAULT_OUTPUT: ResolvedOutput = {
  widths: [640, 1024, 1600, 2048],
  formats: ['avif', 'webp', 'jpeg'],
  quality: { avif: 39 },
  avifEffort: 1,
  placeholder: 'blur',
}

export const DEFAULT_MARKUP: ResolvedMarkup = { sizes: '100vw', loading: 'lazy' }

const pick = <T extends object, K extends keyof T>(o: T, keys: K[]) =>
  Object.fromEntries(keys.filter(k => o[k] !== undefined).map(k => [k, o[k]])) as Pick<T, K>

const SEGMIND_URL = 'https://api.segmind.com'

const isTrue = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false'

/** Merges plugin options over the config file's and fills every default, once per build. */
export function resolveOptions(options: Options, config: Options, root: string, configPath?: string): ResolvedOptions {
  const merged: Options = { ...config, ...options, images: { ...config.images, ...options.images } }
  const env = process.env
  const apiKey = merged.apiKey || env.SEGMIND_API_KEY || undefined
  const provider = merged.provider ?? 'segmind'
  // Frozen by default in CI when the default provider has no key.
  const keyOfDefault = provider === 'segmind' ? apiKey : provider === 'placeholder' || merged[provider]?.apiKey || env[HOSTS[provider].key]
  const apiUrl = (merged.apiUrl || env.SEGMIND_API_URL || SEGMIND_URL).replace(/\/+$/, '')
  return {
    root,
    images: merged.images ?? {},
    configPath,
    provider,
    apiKey,
    apiUrl,
    // Segmind's asset upload lives on its workflows host; a custom API URL (a proxy, a test
    // server) is asked for uploads too.
    uploadUrl: merged.uploadUrl || env.SEGMIND_UPLOAD_URL || (apiUrl === SEGMIND_URL ? 'https://workflows-api.segmind.com/upload-asset' : `${apiUrl}/upload-asset`),
    hosts: Object.fromEntries(Object.entries(HOSTS).map(([name, h]) => [name, {
      apiKey: merged[name as OtherHost]?.apiKey || env[h.key] || undefined,
      apiUrl: (merged[name as OtherHost]?.apiUrl || env[h.url] || h.fallback).replace(/\/+$/, ''),
      keyVariable: h.key,
    }])) as Record<OtherHost, ResolvedHost>,
    cacheDir: path.resolve(root, merged.cacheDir ?? '.seedream'),
    variantsCacheDir: path.resolve(root, merged.variantsCacheDir ?? 'node_modules/.cache/unplugin-seedream'),
    concurrency: merged.concurrency ?? 4,
    sharpConcurrency: os.availableParallelism(),
    retries: merged.retries ?? 4,
    timeout: merged.timeout ?? 120_000,
    retryDelay: merged.retryDelay ?? 1000,
    output: pick(merged, ['widths', 'formats', 'quality', 'avifEffort', 'placeholder', 'sizes', 'loading']),
    frozen: merged.frozen ?? (isTrue(env.SEEDREAM_FROZEN) || (isTrue(env.CI) && !keyOfDefault)),
    budget: { maxImages: 10, maxCost: Number.POSITIVE_INFINITY, ...merged.budget },
    prices: { ...DEFAULT_PRICES, ...merged.prices },
    lockStale: merged.lockStale ?? 10_000,
  }
}
