import type { Options, ResolvedOptions, ResolvedOutput } from './options'
import type { Original } from './originals'
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
import { devModuleCode } from './dev'
import { createOriginals, inMemory } from './originals'
import { placeholderProvider } from './providers/placeholder'
import { segmindProvider } from './providers/segmind'
import { checkGlobalOutput, resolveSpec } from './spec'
import { Store } from './store'
import { makeVariants } from './variants'

export const QUERY = '?seedream'
const NAMED_PREFIX = '\0seedream:'
/**
 * Spec files get a virtual id whose extension is escaped: Vite's dev server skips the HMR analysis
 * of any id with `.json?` in it, and a module it has not analysed cannot be hot-updated.
 */
const FILE_PREFIX = '\0seedream-file:'
export const fileId = (file: string) => `${FILE_PREFIX}${file.replace(/%/g, '%25').replace(/\.(\w+)$/, '%2E$1')}${QUERY}`
const fileOfId = (bare: string) => decodeURIComponent(bare.slice(FILE_PREFIX.length))

/** What the bundler offers the pipeline: where to put files and how to talk to the user. */
export interface Host {
  emit: EmitAsset
  assetsDir: string
  info: (message: string) => void
  warn: (message: string) => void
  watch: (file: string) => void
}

/** What the dev server offers the pipeline. */
export interface DevHost {
  picture: (original: Original, out: ResolvedOutput) => Promise<object>
  /** Called with a generation under way; the module is reloaded when it settles. */
  pending: (generation: Promise<unknown>) => void
  warn: (message: string) => void
  watch: (file: string) => void
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
    // Kept across config reloads in dev, so a generation in flight is never started twice.
    if (!originals || originals.dir !== opts.cacheDir) {
      originals = createOriginals(new Store(opts.cacheDir), providerFor, opts.concurrency, {
        info: m => host.info(redact(m, secrets())),
        warn: m => host.warn(redact(m, secrets())),
      })
    }
    for (const name of Object.keys(opts.images))
      specFromConfig(name)
    const files = await fg('**/*.seedream.{json,yaml,yml}', { cwd: opts.root, absolute: true, ignore: ['**/node_modules/**', '**/dist/**', '**/.git/**'] })
    await Promise.all(files.map(specFromFile))
  }

  function resolveId(id: string, importer?: string): string | null {
    const bare = id.slice(0, -QUERY.length)
    if (bare.startsWith(NAMED_PREFIX) || bare.startsWith(FILE_PREFIX))
      return id
    if (SPEC_FILE.test(bare)) {
      const from = importer?.startsWith(FILE_PREFIX) ? fileOfId(importer.split('?')[0]!) : importer?.split('?')[0]
      return fileId(path.resolve(bare.startsWith('.') && from ? path.dirname(from) : opts.root, bare))
    }
    return `${NAMED_PREFIX}${bare}${QUERY}`
  }

  /** The spec behind a resolved id; its file is watched, so an edit rebuilds or hot-updates it. */
  async function specOf(id: string, host: Pick<Host, 'warn' | 'watch'>): Promise<ResolvedSpec> {
    const bare = id.slice(0, -QUERY.length)
    const file = bare.startsWith(FILE_PREFIX) ? fileOfId(bare) : undefined
    const spec = file ? await specFromFile(file) : specFromConfig(bare.slice(NAMED_PREFIX.length))
    const watched = file ?? (opts.configPath && path.resolve(opts.root, opts.configPath))
    if (watched)
      host.watch(watched)
    for (const note of spec.notes)
      host.warn(`"${spec.name}" (${spec.file ?? 'options'}): ${note}`)
    return spec
  }

  /** Scrubs the key from anything thrown, whatever threw it. */
  async function scrubbed<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    }
    catch (error: any) {
      error.message = redact(String(error.message), secrets())
      error.stack = redact(String(error.stack), secrets())
      throw error
    }
  }

  /**
   * Dev server: a picture that costs nothing now is served at once; a missing one is generated in
   * the background while the module shows a placeholder of the same size, then `ready` fires.
   */
  function loadDev(id: string, dev: DevHost): Promise<string> {
    return scrubbed(async () => {
      const spec = await specOf(id, dev)
      let set = await originals.cached(spec)
      if (!set) {
        dev.pending(scrubbed(() => originals.get(spec)))
        const drawn = await placeholderProvider().generate(spec, undefined, {})
        set = { key: '', images: await inMemory(drawn.images), generated: false, persistent: false }
      }
      return devModuleCode(spec, await Promise.all(set.images.map(o => dev.picture(o, spec.output))))
    })
  }

  function load(id: string, build: Host): Promise<string> {
    return scrubbed(async () => {
      const spec = await specOf(id, build)
      const set = await originals.get(spec)
      stats[set.generated ? 'generated' : 'reused'] += set.persistent ? 1 : 0
      const pictures = await Promise.all(set.images.map(async (original) => {
        const variants = await makeVariants(original, spec.output, opts.variantsCacheDir, sharpPool)
        stats[variants.made ? 'variantsMade' : 'variantsReused'] += variants.variants.length
        return emitPicture(variants, spec, build.assetsDir, build.emit)
      }))
      return moduleCode(spec, pictures)
    })
  }

  return { setup, resolveId, load, loadDev, stats: () => stats, options: () => opts }
}
