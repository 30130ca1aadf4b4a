import type { SeedreamSpec } from './types'
import type { OtherHost, Options, ResolvedHost, ResolvedOptions } from './options'
import os from 'node:os'
import path from 'node:path'
import { DEFAULT_PRICES } from '../project/generation/guard'

const HOSTS: Record<OtherHost, { key: string, url: string, fallback: string }> = {
  ark: { key: 'ARK_API_KEY', url: 'ARK_API_URL', fallback: 'https://ark.ap-southeast.bytepluses.com/api/v3' },
  fal: { key: 'FAL_KEY', url: 'FAL_API_URL', fallback: 'https://queue.fal.run' },
  replicate: { key: 'REPLICATE_API_TOKEN', url: 'REPLICATE_API_URL', fallback: 'https://api.replicate.com/v1' },
}

const pick = <T extends object, K extends keyof T>(o: T, keys: K[]) =>
  Object.fromEntries(keys.filter(k => o[k] !== undefined).map(k => [k, o[k]])) as Pick<T, K>

const SEGMIND_URL = 'https://api.segmind.com'

const isTrue = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false'

const MiB = 1024 * 1024

/**
 * Named specs of the config, then the plugin's, in a map without a prototype: a name such as
 * `toString` or `__proto__` is a spec only when the user declared it.
 */
const imagesOf = (config: Options, options: Options): Record<string, SeedreamSpec> =>
  Object.assign(Object.create(null), config.images, options.images)

/** Merges plugin options over the config file's and fills every default, once per build. */
export function resolveOptions(options: Options, config: Options, root: string, configPath?: string): ResolvedOptions {
  const merged: Options = { ...config, ...options, images: imagesOf(config, options) }
  const env = process.env
  const apiKey = merged.apiKey || env.SEGMIND_API_KEY || undefined
  const provider = merged.provider ?? 'segmind'
  // Frozen by default in CI when the default provider has no key.
  const keyOfDefault = provider === 'segmind' ? apiKey : provider === 'placeholder' || merged[provider]?.apiKey || env[HOSTS[provider].key]
  const apiUrl = (merged.apiUrl || env.SEGMIND_API_URL || SEGMIND_URL).replace(/\/+$/, '')
  return {
    root,
    images: merged.images!,
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
    maxImageBytes: merged.maxImageBytes ?? 64 * MiB,
    maxReferenceBytes: merged.maxReferenceBytes ?? 30 * MiB,
  }
}
