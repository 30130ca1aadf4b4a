import type { Guard } from './guard'
import type { GeneratedImage, GenerateResult, Provider } from '../providers/types'
import type { ResolvedSpec } from '../../model/spec'
import type { Entry, EntryMeta, OriginalImage, Store } from '../store/store'
import path from 'node:path'
import pLimit from 'p-limit'
import { HttpError, SeedreamError } from '../../model/errors'
import { corruptFor, failureOf } from './failures'
import { journalDir, openJournal } from '../store/journal'
import { cacheKey, sha256 } from '../../model/key'
import { loadSharp } from '../images/sharp'
import { withKeyLock } from '../store/lock'
import { CorruptEntry } from '../store/store'
import type { VerifiedImage } from './verify'
import { UnusablePicture, verifyPicture } from './verify'

/** An original picture, with its bytes loaded only when a variant must be made. */
export interface Original extends OriginalImage {
  load: () => Promise<Buffer>
}

export interface OriginalSet {
  key: string
  images: Original[]
  /** True when this process paid for them. */
  generated: boolean
  /** False for offline placeholders, which are never stored. */
  persistent: boolean
  remainingCredits?: number
  /** What the host said it charged, where it said. */
  cost?: number
}

export interface OriginalsContext {
  store: Store
  providerFor: (spec: ResolvedSpec) => Provider
  concurrency: number
  guard: Guard
  lockStale: number
  maxImageBytes: number
  /** Generate corrupt entries again and replace them (`seedream generate --repair`), instead of failing. */
  repair?: boolean
  /** Known specs without an image, for the frozen-mode message. */
  missing: () => ResolvedSpec[]
  start: (label: string) => (outcome: string) => void
  info: (message: string) => void
  warn: (message: string) => void
}

/** Originals held in memory: offline placeholders. */
export function inMemory(images: GeneratedImage[]): Promise<Original[]> {
  return Promise.all(images.map(async (img, i) => {
    const { width = 0, height = 0 } = await (await loadSharp())(img.data).metadata()
    return { file: `${i}.${img.format}`, format: img.format, width, height, bytes: img.data.length, sha256: sha256(img.data), load: async () => img.data }
  }))
}

/**
 * Finds or generates the originals of a spec: a store hit costs nothing; a miss passes the guard
 * (frozen, budget), takes the key's lock (shared with other processes), and its call goes through
 * one queue of bounded size. The same key in flight is shared, so it is paid for once.
 */
export function createOriginals(ctx: OriginalsContext, inflight = new Map<string, Promise<OriginalSet>>()) {
  const { store, guard } = ctx
  const queue = pLimit(ctx.concurrency)

  async function stored(spec: ResolvedSpec, key: string): Promise<OriginalSet | undefined> {
    const entry = await store.read(key).catch((error) => {
      if (error instanceof CorruptEntry && !ctx.repair)
        throw corruptFor(spec, error)
      if (!(error instanceof CorruptEntry))
        throw error
    })
    // Repairing reads every file, so an entry that fails its hashes is generated again too.
    if (!entry || (ctx.repair && await store.verify(entry)))
      return undefined
    const load = (i: number) => store.readImage(entry, i).catch((error) => {
      throw error instanceof CorruptEntry ? corruptFor(spec, error) : error
    })
    return { key, images: entry.meta.images.map((img, i) => ({ ...img, load: () => load(i) })), generated: false, persistent: true }
  }

  async function find(spec: ResolvedSpec, key: string): Promise<OriginalSet> {
    const provider = ctx.providerFor(spec)
    if (!provider.persistent) {
      const drawn = await provider.generate(spec, undefined, {})
      return { key, images: await inMemory(drawn.images), generated: false, persistent: false }
    }
    const hit = await stored(spec, key)
    if (hit)
      return hit
    guard.assertCanGenerate(spec, ctx.missing())
    provider.assertReady?.(spec)
    return withKeyLock(store.dir, key, ctx.lockStale, () => stored(spec, key), () => generate(spec, key, provider))
  }

  async function generate(spec: ResolvedSpec, key: string, provider: Provider): Promise<OriginalSet> {
    const journal = await openJournal(journalDir(store.dir, key), spec, ctx.maxImageBytes, ctx.warn)
    // Pictures an earlier attempt paid for and kept are not counted again.
    const keptBefore = journal.kept.size
    const toPay = Math.max(0, spec.picture.max_images - keptBefore)
    guard.reserve(spec, toPay)
    const finish = ctx.start(`generating "${spec.name}" with ${provider.name} ${spec.picture.model}`)
    // The queue bounds calls in flight, so a slot is held for the call alone, not for storing.
    const result = await queue(() => provider.generate(spec, undefined, {
      onRetry: (error, attempt, delay) => ctx.warn(`"${spec.name}": ${error.message}; retry ${attempt} in ${(delay / 1000).toFixed(1)} s`),
      warn: ctx.warn,
      info: ctx.info,
      journal,
    })).catch((error) => {
      // Only what is known not to have been billed is given back to the budget.
      if (!(error instanceof UnusablePicture) && !(error instanceof HttpError && error.mayBeBilled))
        guard.release(spec, toPay - (journal.kept.size - keptBefore))
      finish(`"${spec.name}" failed`)
      const failure = failureOf(spec, provider.name, error)
      if (journal.kept.size && failure instanceof Error)
        failure.message += ` ${journal.kept.size} paid picture(s) of "${spec.name}" are kept in ${path.relative(process.cwd(), journalDir(store.dir, key))}; the next build completes the rest without paying for them again.`
      throw failure
    })
    const { entry, ours } = await save(spec, key, provider.name, result)
    await journal.clear()
    const credits = result.remainingCredits === undefined ? '' : ` (${result.remainingCredits} credits left)`
    finish(`generated "${spec.name}"${credits}`)
    // Another process may have stored the key first (a lock lost to a stall): its entry is what ships.
    const images = entry.meta.images.map((img, i) => ({ ...img, load: ours ? async () => result.images[i]!.data : () => store.readImage(entry, i) }))
    return { key, images, generated: true, persistent: true, remainingCredits: result.remainingCredits, cost: result.cost }
  }

  /** Stores a generation's pictures, each verified (providers without a journal are checked here). */
  async function save(spec: ResolvedSpec, key: string, provider: string, result: GenerateResult): Promise<{ entry: Entry, ours: boolean }> {
    const verified = await Promise.all(result.images.map(img => 'sha256' in img ? img as VerifiedImage : verifyPicture(img, spec, ctx.maxImageBytes)))
      .catch((error) => { throw failureOf(spec, provider, error) })
    if (!verified.length)
      throw new SeedreamError(`"${spec.name}": ${provider} answered without any picture, though the call may have been billed.`, { spec: spec.name, file: spec.file }, 'SEEDREAM_BAD_PICTURE')
    const meta: EntryMeta = {
      key,
      name: spec.name,
      source: spec.file,
      provider,
      model: spec.picture.model,
      picture: spec.picture,
      created: new Date().toISOString(),
      requestIds: result.requestIds,
      remainingCredits: result.remainingCredits,
      cost: result.cost,
      seed: result.seed ?? spec.picture.seed,
      images: verified.map((img, i) => ({ file: `${i}.${img.format}`, format: img.format, width: img.width, height: img.height, bytes: img.data.length, sha256: img.sha256 })),
    }
    const entry = await store.write(meta, verified.map(img => img.data), ctx.repair)
    return { entry, ours: entry.meta === meta }
  }

  return {
    dir: store.dir,
    /** The originals if they cost nothing now (stored, or drawn offline); undefined if a call is needed. */
    async cached(spec: ResolvedSpec): Promise<OriginalSet | undefined> {
      return ctx.providerFor(spec).persistent ? stored(spec, cacheKey(spec)) : this.get(spec)
    },
    get(spec: ResolvedSpec): Promise<OriginalSet> {
      const key = cacheKey(spec)
      let pending = inflight.get(key)
      if (!pending) {
        pending = find(spec, key)
        inflight.set(key, pending)
        // Shared while in flight only. Once settled, a stored picture is read from the store again
        // (so its bytes are not held for the life of a dev server, and a later build counts it
        // as reused); a failure is not remembered, so the next build tries again. Offline
        // placeholders cost a drawing each, and stay.
        pending.then(set => set.persistent && inflight.delete(key), () => inflight.delete(key))
      }
      return pending
    },
  }
}
