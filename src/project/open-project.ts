import type { BuildStats, DevHost, Host, Logger } from '../bundler/host'
import type { Options, ResolvedOptions } from '../model/options'
import type { OriginalSet } from './generation/originals'
import type { Provider } from './providers/types'
import type { ResolvedSpec } from '../model/spec'
import path from 'node:path'
import pLimit from 'p-limit'
import { loadConfig } from './config'
import { devModuleCode } from './code/dev-module'
import { createSpecs } from './discover'
import { emitPicture, moduleCode } from './code/module'
import { parseSpecId, resolveSpecId } from '../model/ids'
import { addSecrets, redact } from '../model/errors'
import { createGuard } from './generation/guard'
import { journalDir, keptPictures } from './store/journal'
import { cacheKey } from '../model/key'
import { resolveOptions } from '../model/resolve-options'
import { createOriginals } from './generation/originals'
import { createProviders } from './providers'
import { createProgress } from './generation/progress'
import { checkOptions } from '../model/option-rules'
import { Store } from './store/store'
import { makeVariants } from './images/variants'

/** The whole pipeline of one plugin instance: spec -> key -> store/provider -> variants -> module code. */
/** `repair`: the CLI's `generate --repair`, which generates corrupt entries again and replaces them. */
export function createSeedream(userOptions: Options, run: { repair?: boolean } = {}) {
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
  const decodedSlots = pLimit(1)
  let providerFor: (spec: ResolvedSpec) => Provider

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
    // The plugin's own options first: `root` and `configFile` decide where the config is read.
    checkOptions(userOptions, {})
    const base = path.resolve(userOptions.root ?? root)
    const { config, file } = userOptions.configFile === false ? { config: {} } : await loadConfig(base)
    checkOptions({}, config, file)
    opts = resolveOptions(userOptions, config, base, file)
    addSecrets(opts.apiKey, ...Object.values(opts.hosts).map(h => h.apiKey))
    providerFor = createProviders(opts)
    specs = createSpecs(opts, providerFor)
    stats = { generated: 0, reused: 0, variantsMade: 0, variantsReused: 0, bytesEmitted: 0, spend: 0 }
    sharpPool.concurrency = opts.sharpConcurrency
    decodedSlots.concurrency = opts.sharpConcurrency
    store = new Store(opts.cacheDir)
    const known = await specs.all()
    // A corrupt entry is not a miss: its spec's load names it and the fix, and pays nothing.
    const stored = await Promise.all(known.map(s => providerFor(s).persistent ? store.read(cacheKey(s)).catch(() => true) : true))
    missing = known.filter((_, i) => !stored[i])
    guard = createGuard(opts.frozen, opts.budget, opts.prices)
    if (mode === 'build')
      guard.precheck(missing, await Promise.all(missing.map(s => keptPictures(journalDir(store.dir, cacheKey(s))))))
    const progress = createProgress(m => log.info(redact(m)), Boolean(process.stderr.isTTY))
    originals = createOriginals({
      store,
      providerFor,
      concurrency: opts.concurrency,
      guard,
      lockStale: opts.lockStale,
      maxImageBytes: opts.maxImageBytes,
      repair: run.repair,
      missing: () => missing,
      start: progress.start,
      info: m => log.info(redact(m)),
      warn: m => log.warn(redact(m)),
    }, inflight)
  }

  async function resolveId(id: string, importer?: string): Promise<string> {
    await ready
    return resolveSpecId(id, importer, opts.root)
  }

  /** The spec behind a resolved id; its file is watched, so an edit rebuilds or hot-updates it. */
  async function specOf(id: string, host: Pick<Host, 'warn' | 'watch'>): Promise<ResolvedSpec> {
    await ready
    const target = parseSpecId(id)
    const file = 'file' in target ? target.file : undefined
    const spec = file ? await specs.fromFile(file) : await specs.fromConfig((target as { name: string }).name)
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
      error.message = redact(String(error.message))
      error.stack = redact(String(error.stack))
      throw error
    }
  }

  function count(spec: ResolvedSpec, set: OriginalSet): void {
    if (!set.persistent)
      return
    stats[set.generated ? 'generated' : 'reused']++
    if (set.generated)
      stats.spend += set.cost ?? guard.priceOf(spec)
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
        // The same spec drawn offline: same size and ratio, never stored.
        set = await originals.get({ ...spec, provider: 'placeholder' })
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
        const variants = await makeVariants(original, spec.output, opts.variantsCacheDir, sharpPool, decodedSlots)
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
    parts: () => ({ specs, originals, store, guard, providerFor }),
  }
}
