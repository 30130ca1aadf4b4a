import type { EmitAsset } from './emit'
import type { Options, ResolvedOptions, ResolvedOutput } from './options'
import type { Original, OriginalSet } from './originals'
import type { Provider } from './providers/types'
import type { ResolvedSpec } from './spec'
import path from 'node:path'
import pLimit from 'p-limit'
import { loadConfig, SPEC_FILE } from './config'
import { devModuleCode } from './dev'
import { createSpecs } from './discover'
import { emitPicture, moduleCode } from './emit'
import { redact } from './errors'
import { createGuard } from './guard'
import { cacheKey } from './key'
import { resolveOptions } from './options'
import { createOriginals, inMemory } from './originals'
import { placeholderProvider } from './providers/placeholder'
import { segmindProvider } from './providers/segmind'
import { createProgress } from './progress'
import { checkGlobalOutput } from './spec'
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

export interface Logger {
  info: (message: string) => void
  warn: (message: string) => void
}

/** What the bundler offers the pipeline: where to put files and how to talk to the user. */
export interface Host extends Logger {
  emit: EmitAsset
  assetsDir: string
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

export interface BuildStats {
  generated: number
  reused: number
  variantsMade: number
  variantsReused: number
  bytesEmitted: number
  spend: number
  remainingCredits?: number
}

/** The whole pipeline of one plugin instance: spec -> key -> store/provider -> variants -> module code. */
export function createSeedream(userOptions: Options) {
  let opts: ResolvedOptions
  let specs: ReturnType<typeof createSpecs>
  let originals: ReturnType<typeof createOriginals>
  let missing: ResolvedSpec[] = []
  let guard: ReturnType<typeof createGuard>
  let store: Store
  let stats: BuildStats
  // Outlives config reloads in dev, so a generation in flight is never started twice.
  const inflight = new Map<string, Promise<OriginalSet>>()
  let log: Logger = { info: () => {}, warn: () => {} }
  let ready: Promise<void> | undefined
  const sharpPool = pLimit(1)
  const secrets = () => [opts?.apiKey, userOptions.apiKey, process.env.SEGMIND_API_KEY]
  const providerFor = (spec: ResolvedSpec): Provider =>
    spec.provider === 'placeholder' ? placeholderProvider() : segmindProvider({ ...opts })

  /**
   * Every check before any request: options, every named spec, every spec file under the root;
   * then, for a build, the budget against the misses known now.
   */
  function setup(root: string, logger?: Logger, mode: 'build' | 'serve' | 'cli' = 'build'): Promise<void> {
    // webpack may start loading modules before buildStart's promise settles: they wait for it.
    ready = prepare(root, logger, mode)
    return ready
  }

  async function prepare(root: string, logger: Logger | undefined, mode: 'build' | 'serve' | 'cli'): Promise<void> {
    if (logger)
      log = logger
    const base = path.resolve(userOptions.root ?? root)
    const { config, file } = userOptions.configFile === false ? { config: {} } : await loadConfig(base)
    checkGlobalOutput({ ...config, ...userOptions } as Record<string, unknown>, file)
    opts = resolveOptions(userOptions, config, base, file)
    specs = createSpecs(opts)
    stats = { generated: 0, reused: 0, variantsMade: 0, variantsReused: 0, bytesEmitted: 0, spend: 0 }
    sharpPool.concurrency = opts.sharpConcurrency
    store = new Store(opts.cacheDir)
    const known = await specs.all()
    const stored = await Promise.all(known.map(s => providerFor(s).persistent ? store.read(cacheKey(s)) : true))
    missing = known.filter((_, i) => !stored[i])
    guard = createGuard(opts.frozen, opts.budget, opts.prices)
    if (mode === 'build')
      guard.precheck(missing)
    const progress = createProgress(m => log.info(redact(m, secrets())), Boolean(process.stderr.isTTY))
    originals = createOriginals({
      store,
      providerFor,
      concurrency: opts.concurrency,
      guard,
      lockStale: opts.lockStale,
      missing: () => missing,
      start: progress.start,
      warn: m => log.warn(redact(m, secrets())),
    }, inflight)
  }

  async function resolveId(id: string, importer?: string): Promise<string> {
    await ready
    const bare = id.slice(0, -QUERY.length)
    // Vite's dev server hands back ids with the escape decoded: keep one id per file.
    if (bare.startsWith(FILE_PREFIX))
      return fileId(fileOfId(bare))
    if (bare.startsWith(NAMED_PREFIX))
      return id
    if (SPEC_FILE.test(bare)) {
      const from = importer?.startsWith(FILE_PREFIX) ? fileOfId(importer.split('?')[0]!) : importer?.split('?')[0]
      return fileId(path.resolve(bare.startsWith('.') && from ? path.dirname(from) : opts.root, bare))
    }
    return `${NAMED_PREFIX}${bare}${QUERY}`
  }

  /** The spec behind a resolved id; its file is watched, so an edit rebuilds or hot-updates it. */
  async function specOf(id: string, host: Pick<Host, 'warn' | 'watch'>): Promise<ResolvedSpec> {
    await ready
    const bare = id.slice(0, -QUERY.length)
    const file = bare.startsWith(FILE_PREFIX) ? fileOfId(bare) : undefined
    const spec = file ? await specs.fromFile(file) : specs.fromConfig(bare.slice(NAMED_PREFIX.length))
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

  function count(spec: ResolvedSpec, set: OriginalSet): void {
    if (!set.persistent)
      return
    stats[set.generated ? 'generated' : 'reused']++
    if (set.generated)
      stats.spend += guard.priceOf(spec)
    stats.remainingCredits = set.remainingCredits ?? stats.remainingCredits
  }

  /**
   * Dev server: a picture that costs nothing now is served at once; a missing one is generated in
   * the background while the module shows a placeholder of the same size, then `pending` settles.
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
      count(spec, set)
      const pictures = await Promise.all(set.images.map(async (original) => {
        const variants = await makeVariants(original, spec.output, opts.variantsCacheDir, sharpPool)
        stats[variants.made ? 'variantsMade' : 'variantsReused'] += variants.variants.length
        stats.bytesEmitted += variants.variants.reduce((n, v) => n + v.bytes, 0)
        return emitPicture(variants, spec, build.assetsDir, build.emit)
      }))
      return moduleCode(spec, pictures)
    })
  }

  return {
    setup,
    resolveId,
    load,
    loadDev,
    stats: () => stats,
    options: () => opts,
    /** For the CLI: the same pieces a build uses. */
    parts: () => ({ specs, originals, store, guard }),
  }
}
