import type { Options, ResolvedOptions } from './options'
import type { Provider } from './providers/types'
import type { ResolvedSpec } from './spec'
import type { EmitAsset } from './emit'
import path from 'node:path'
import fg from 'fast-glob'
import pLimit from 'p-limit'
import { loadConfig, readSpecFile, SPEC_FILE, specFileName } from './config'
import { emitPicture, moduleCode } from './emit'
import { redact, SeedreamError } from './errors'
import { resolveOptions } from './options'
import { createOriginals } from './originals'
import { placeholderProvider } from './providers/placeholder'
import { segmindProvider } from './providers/segmind'
import { checkGlobalOutput, resolveSpec } from './spec'
import { Store } from './store'
import { makeVariants } from './variants'

export const QUERY = '?seedream'
const NAMED_PREFIX = '\0seedream:'

/** What the bundler offers the pipeline: where to put files and how to talk to the user. */
export interface Host {
  emit: EmitAsset
  assetsDir: string
  info: (message: string) => void
  warn: (message: string) => void
}

export interface BuildStats { generated: number, reused: number, variantsMade: number, variantsReused: number }

/** The whole pipeline of one plugin instance: spec -> key -> store/provider -> variants -> module code. */
export function createSeedream(userOptions: Options) {
  let opts: ResolvedOptions
  let originals: ReturnType<typeof createOriginals>
  let stats: BuildStats
  let host: Pick<Host, 'info' | 'warn'> = { info: () => {}, warn: () => {} }
  const sharpPool = pLimit(1)
  const secrets = () => [opts?.apiKey, userOptions.apiKey, process.env.SEGMIND_API_KEY]

  function providerFor(spec: ResolvedSpec): Provider {
    return spec.provider === 'placeholder' ? placeholderProvider() : segmindProvider({ ...opts })
  }

  function specFromConfig(name: string): ResolvedSpec {
    if (!(name in opts.images)) {
      const known = Object.keys(opts.images)
      throw new SeedreamError(`No spec named "${name}"${opts.configPath ? ` in ${opts.configPath}` : ''}. `
        + (known.length ? `Known specs: ${known.join(', ')}.` : 'Declare it under "images" in seedream.config.mjs, or import a ./name.seedream.json file.'), { spec: name, file: opts.configPath })
    }
    return resolveSpec(opts.images[name], { name, file: opts.configPath, provider: opts.provider, output: opts.output })
  }

  async function specFromFile(file: string): Promise<ResolvedSpec> {
    const rel = path.relative(opts.root, file)
    return resolveSpec(await readSpecFile(file, opts.root), { name: specFileName(file), file: rel, provider: opts.provider, output: opts.output })
  }

  /** Every check before any request: options, every named spec, every spec file under the root. */
  async function setup(root: string, log?: Pick<Host, 'info' | 'warn'>): Promise<void> {
    if (log)
      host = log
    const base = path.resolve(userOptions.root ?? root)
    const { config, file } = userOptions.configFile === false ? { config: {} } : await loadConfig(base)
    checkGlobalOutput({ ...config, ...userOptions } as Record<string, unknown>, file)
    opts = resolveOptions(userOptions, config, base, file)
    stats = { generated: 0, reused: 0, variantsMade: 0, variantsReused: 0 }
    sharpPool.concurrency = opts.sharpConcurrency
    originals = createOriginals(new Store(opts.cacheDir), providerFor, opts.concurrency, {
      info: m => host.info(redact(m, secrets())),
      warn: m => host.warn(redact(m, secrets())),
    })
    for (const name of Object.keys(opts.images))
      specFromConfig(name)
    const files = await fg('**/*.seedream.{json,yaml,yml}', { cwd: opts.root, absolute: true, ignore: ['**/node_modules/**', '**/dist/**', '**/.git/**'] })
    await Promise.all(files.map(specFromFile))
  }

  function resolveId(id: string, importer?: string): string | null {
    const bare = id.slice(0, -QUERY.length)
    if (SPEC_FILE.test(bare)) {
      const base = bare.startsWith('.') && importer ? path.dirname(importer.split('?')[0]!) : opts.root
      return `${path.resolve(base, bare)}${QUERY}`
    }
    return bare.startsWith(NAMED_PREFIX) ? id : `${NAMED_PREFIX}${bare}${QUERY}`
  }

  async function load(id: string, build: Host): Promise<string> {
    const bare = id.slice(0, -QUERY.length)
    try {
      const spec = bare.startsWith(NAMED_PREFIX) ? specFromConfig(bare.slice(NAMED_PREFIX.length)) : await specFromFile(bare)
      for (const note of spec.notes)
        build.warn(`"${spec.name}" (${spec.file ?? 'options'}): ${note}`)
      const set = await originals.get(spec)
      stats[set.generated ? 'generated' : 'reused'] += set.persistent ? 1 : 0
      const pictures = await Promise.all(set.images.map(async (original) => {
        const variants = await makeVariants(original, spec.output, opts.variantsCacheDir, sharpPool)
        stats[variants.made ? 'variantsMade' : 'variantsReused'] += variants.variants.length
        return emitPicture(variants, spec, build.assetsDir, build.emit)
      }))
      return moduleCode(spec, pictures)
    }
    catch (error: any) {
      error.message = redact(String(error.message), secrets())
      error.stack = redact(String(error.stack), secrets())
      throw error
    }
  }

  return { setup, resolveId, load, stats: () => stats, options: () => opts }
}
