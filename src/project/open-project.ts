import type { Options, ResolvedOptions } from '../model/options'
import type { ResolvedSpec } from '../model/resolved'
import type { OriginalsContext, OriginalSet } from './generation/originals'
import type { Logger, RunStats } from './ports'
import type { Provider } from './providers/types'
import os from 'node:os'
import path from 'node:path'
import pLimit from 'p-limit'
import { addSecrets, redact } from '../model/errors'
import { cacheKey } from '../model/key'
import { checkOptions } from '../model/option-rules'
import { resolveOptions } from '../model/resolve-options'
import { loadConfig } from './config'
import { createSpecs } from './discover'
import type { Guard } from './generation/guard'
import { createGuard } from './generation/guard'
import { createOriginals } from './generation/originals'
import { refusePlaceholders } from './generation/placeholders'
import type { Progress } from './generation/progress'
import { createProgress } from './generation/progress'
import { takeInventory } from './inventory'
import { knownSpecs } from './known-specs'
import { createProviders } from './providers'
import { openRemote } from './remote/open-remote'
import { journalDir, keptPictures } from './store/journal'
import { Store } from './store/store'

/**
 * Work that outlives one project: a config edit in the dev server opens a new project, and a
 * generation in flight must not start twice, nor sharp run more jobs than there are cores.
 */
export interface SharedWork {
  inflight: Map<string, Promise<OriginalSet>>
  sharp: ReturnType<typeof pLimit>
  /** Decoded originals in memory at once. */
  decoded: ReturnType<typeof pLimit>
}

export function createSharedWork(): SharedWork {
  const cores = os.availableParallelism()
  return { inflight: new Map(), sharp: pLimit(cores), decoded: pLimit(cores) }
}

export interface OpenOptions {
  /** A build checks the budget against the known misses at once; a dev server, the CLI and the function API do not. */
  mode?: 'build' | 'serve' | 'cli' | 'api'
  logger?: Logger
  /** `seedream generate --repair`: corrupt entries are generated again and replaced. */
  repair?: boolean
  shared?: SharedWork
}

const quiet: Logger = { info: () => {}, warn: () => {} }

/** Options checked (the plugin's first: they say where the config is), then the config file's. */
async function optionsOf(root: string, userOptions: Options): Promise<ResolvedOptions> {
  checkOptions(userOptions, {})
  const base = path.resolve(userOptions.root ?? root)
  const { config, file } = userOptions.configFile === false ? { config: {} } : await loadConfig(base)
  checkOptions({}, config, file)
  return resolveOptions(userOptions, config, base, file)
}

/** The project's originals: found in its store, or generated through its guard and queue, with progress lines. */
function originalsOf(options: ResolvedOptions, parts: Pick<OriginalsContext, 'store' | 'providerFor' | 'guard' | 'remote' | 'missing'>, run: OpenOptions, log: Logger, shared: SharedWork, progress: Progress) {
  return createOriginals({
    ...parts,
    concurrency: options.concurrency,
    lockStale: options.lockStale,
    maxImageBytes: options.maxImageBytes,
    repair: run.repair,
    start: progress.start,
    info: m => log.info(redact(m)),
    warn: m => log.warn(redact(m)),
  }, shared.inflight)
}

/** For a build: placeholders refused and the budget checked against the misses known now. */
async function buildChecks(options: ResolvedOptions, run: OpenOptions, known: Promise<ResolvedSpec[]>, lookups: Promise<ResolvedSpec[]>, guard: Guard, store: Store): Promise<void> {
  if (run.mode !== 'build')
    return
  refusePlaceholders(options, await known)
  const missing = options.frozen ? [] : await lookups
  guard.precheck(missing, await Promise.all(missing.map(s => keptPictures(journalDir(store.dir, cacheKey(s))))))
}

/**
 * One project as of now: its options, specs, store and providers, and the stats of one run. Every
 * check is made before any request: options, every named spec, every spec file under the root;
 * then, for a build, the budget against the misses known now. The object never changes: a config
 * edit opens a new one, and work started on this one finishes on it.
 */
export async function openProject(root: string, userOptions: Options = {}, run: OpenOptions = {}) {
  const options = await optionsOf(root, userOptions)
  const log = run.logger ?? quiet
  const shared = run.shared ?? createSharedWork()
  addSecrets(options.apiKey, ...Object.values(options.hosts).map(h => h.apiKey))
  const providerFor: (spec: ResolvedSpec) => Provider = createProviders(options)
  const specs = createSpecs(options, providerFor)
  const store = new Store(options.cacheDir)
  const opening = openRemote(options.remote, log)
  opening.catch(() => {})
  // Asked at once, awaited only where needed: a frozen build spends nothing, so its lookups, the
  // walk for spec files and their checks run beside the bundler's start; its end awaits them.
  const { known, lookups } = knownSpecs(specs, store, providerFor, opening, options, run.mode === 'build')
  const guard = createGuard(options.frozen, options.budget, options.prices)
  const checked = buildChecks(options, run, known, lookups, guard, store)
  checked.catch(() => {})
  if (!(run.mode === 'build' && options.frozen))
    await checked.then(() => known)
  const remote = await opening
  const progress = createProgress(m => log.info(redact(m)), Boolean(process.stderr.isTTY) && !options.ci, options.concurrency)
  const originals = originalsOf(options, { store, providerFor, guard, missing: () => lookups, remote }, run, log, shared, progress)
  const stats: RunStats = { generated: 0, reused: 0, variantsMade: 0, variantsReused: 0, bytesEmitted: 0, spend: 0, placeholders: new Set() }
  return Object.freeze({
    root: options.root,
    options,
    specs,
    store,
    guard,
    originals,
    providerFor,
    shared,
    /** The shared remote cache, when one is configured and has credentials. */
    remote,
    /** Generations and encodes under way, shown live in a terminal. */
    progress,
    /** Counters of this run: the only part that changes, and only by counting. */
    stats,
    /** Keys this run generated, so a picture shared by two specs is counted as paid once. */
    generatedKeys: new Set<string>(),
    /** Folders of the variants cache this run read or made, for the retention rule. */
    variantsUsed: new Set<string>(),
    /** What the store holds against what these specs (default: every declared spec) ask for. */
    inventory: async (list?: ResolvedSpec[]) => takeInventory(list ?? await known, store, guard),
    /** The checks of every declared spec, awaited by the end of a build that did not await them at its start. */
    checked,
  })
}

export type Project = Awaited<ReturnType<typeof openProject>>
