import type { OtherHost, Options, ResolvedHost, ResolvedOptions } from './options'
import type { SeedreamSpec } from './types'
import path from 'node:path'
import { DEFAULT_PRICES, DEFAULTS, HOSTS, SEGMIND_UPLOAD_URL } from './defaults'
import { resolveRemote } from './resolve-remote'
import { OTHER_HOSTS } from './schema'

const pick = <T extends object, K extends keyof T>(o: T, keys: K[]) =>
  Object.fromEntries(keys.filter(k => o[k] !== undefined).map(k => [k, o[k]])) as Pick<T, K>

const isTrue = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false'
const bare = (url: string) => url.replace(/\/+$/, '')

/**
 * Named specs of the config, then the plugin's, in a map without a prototype: a name such as
 * `toString` or `__proto__` is a spec only when the user declared it.
 */
const imagesOf = (config: Options, options: Options): Record<string, SeedreamSpec> =>
  Object.assign(Object.create(null), config.images, options.images)

/** Each other host's key and URL: its option, else its environment variable, else its default. */
function hostsOf(merged: Options, env: NodeJS.ProcessEnv): Record<OtherHost, ResolvedHost> {
  return Object.fromEntries(OTHER_HOSTS.map(name => [name, {
    apiKey: merged[name]?.apiKey || env[HOSTS[name].key] || undefined,
    apiUrl: bare(merged[name]?.apiUrl || env[HOSTS[name].url] || HOSTS[name].fallback),
    keyVariable: HOSTS[name].key,
  }])) as Record<OtherHost, ResolvedHost>
}

/**
 * Merges plugin options over the config file's and fills every default (from defaults.ts), once
 * per project. `env` is read here only, so the rules stay a function of their inputs.
 */
export function resolveOptions(options: Options, config: Options, root: string, configPath?: string, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  const merged: Options = { ...config, ...options, images: imagesOf(config, options) }
  const apiKey = merged.apiKey || env[HOSTS.segmind.key] || undefined
  const provider = merged.provider ?? DEFAULTS.provider
  const hosts = hostsOf(merged, env)
  // Frozen by default in CI when the default provider has no key.
  const keyOfDefault = provider === 'segmind' ? apiKey : provider === 'placeholder' || hosts[provider].apiKey
  const apiUrl = bare(merged.apiUrl || env[HOSTS.segmind.url] || HOSTS.segmind.fallback)
  return {
    root,
    images: merged.images!,
    configPath,
    provider,
    apiKey,
    apiUrl,
    // A custom API URL (a proxy, a test server) is asked for uploads too.
    uploadUrl: merged.uploadUrl || env.SEGMIND_UPLOAD_URL || (apiUrl === HOSTS.segmind.fallback ? SEGMIND_UPLOAD_URL : `${apiUrl}/upload-asset`),
    hosts,
    cacheDir: path.resolve(root, merged.cacheDir ?? DEFAULTS.cacheDir),
    variantsCacheDir: path.resolve(root, merged.variantsCacheDir ?? DEFAULTS.variantsCacheDir),
    concurrency: merged.concurrency ?? DEFAULTS.concurrency,
    retries: merged.retries ?? DEFAULTS.retries,
    timeout: merged.timeout ?? DEFAULTS.timeout,
    retryDelay: merged.retryDelay ?? DEFAULTS.retryDelay,
    output: pick(merged, ['widths', 'formats', 'quality', 'avifEffort', 'placeholder', 'sizes', 'loading', 'priority', 'imgStyle']),
    frozen: merged.frozen ?? (isTrue(env.SEEDREAM_FROZEN) || (isTrue(env.CI) && !keyOfDefault)),
    allowPlaceholders: merged.allowPlaceholders ?? false,
    dts: merged.dts === false ? undefined : path.resolve(root, merged.dts ?? DEFAULTS.dts),
    ci: isTrue(env.CI),
    budget: { ...DEFAULTS.budget, ...merged.budget },
    prices: { ...DEFAULT_PRICES, ...merged.prices },
    lockStale: merged.lockStale ?? DEFAULTS.lockStale,
    maxImageBytes: merged.maxImageBytes ?? DEFAULTS.maxImageBytes,
    maxReferenceBytes: merged.maxReferenceBytes ?? DEFAULTS.maxReferenceBytes,
    remote: resolveRemote(merged.remote, env),
  }
}
