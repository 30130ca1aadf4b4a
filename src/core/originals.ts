import type { Guard } from './guard'
import type { GeneratedImage, Provider } from './providers/types'
import type { ResolvedSpec } from './spec'
import type { EntryMeta, OriginalImage, Store } from './store'
import pLimit from 'p-limit'
import { cacheKey, sha256 } from './key'
import { loadSharp } from './lazy'
import { withKeyLock } from './lock'

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
}

export interface OriginalsContext {
  store: Store
  providerFor: (spec: ResolvedSpec) => Provider
  concurrency: number
  guard: Guard
  lockStale: number
  /** Known specs without an image, for the frozen-mode message. */
  missing: () => ResolvedSpec[]
  start: (label: string) => (outcome: string) => void
  warn: (message: string) => void
}

/** Originals held in memory: just generated, or offline placeholders. */
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

  async function stored(key: string): Promise<OriginalSet | undefined> {
    const entry = await store.read(key)
    if (!entry)
      return undefined
    const images = entry.meta.images.map((img, i) => ({ ...img, load: () => store.readImage(entry, i) }))
    return { key, images, generated: false, persistent: true }
  }

  async function find(spec: ResolvedSpec, key: string): Promise<OriginalSet> {
    const provider = ctx.providerFor(spec)
    if (!provider.persistent) {
      const drawn = await provider.generate(spec, undefined, {})
      return { key, images: await inMemory(drawn.images), generated: false, persistent: false }
    }
    const hit = await stored(key)
    if (hit)
      return hit
    guard.assertCanGenerate(spec, ctx.missing())
    provider.assertReady?.(spec)
    return withKeyLock(store.dir, key, ctx.lockStale, () => stored(key), () => generate(spec, key, provider))
  }

  async function generate(spec: ResolvedSpec, key: string, provider: Provider): Promise<OriginalSet> {
    guard.reserve(spec)
    const finish = ctx.start(`generating "${spec.name}" with ${provider.name} ${spec.picture.model}`)
    // The queue bounds calls in flight, so a slot is held for the call alone, not for storing.
    const result = await queue(() => provider.generate(spec, undefined, {
      onRetry: (error, attempt, delay) => ctx.warn(`"${spec.name}": ${error.message}; retry ${attempt} in ${(delay / 1000).toFixed(1)} s`),
      warn: ctx.warn,
    })).catch((error) => {
      guard.release(spec)
      finish(`"${spec.name}" failed`)
      throw error
    })
    const images = await inMemory(result.images)
    const meta: EntryMeta = {
      key,
      name: spec.name,
      source: spec.file,
      provider: provider.name,
      model: spec.picture.model,
      picture: spec.picture,
      created: new Date().toISOString(),
      requestIds: result.requestIds,
      remainingCredits: result.remainingCredits,
      seed: result.seed ?? spec.picture.seed,
      images: images.map(({ load, ...img }) => img),
    }
    await store.write(meta, result.images.map(img => img.data))
    const credits = result.remainingCredits === undefined ? '' : ` (${result.remainingCredits} credits left)`
    finish(`generated "${spec.name}"${credits}`)
    return { key, images, generated: true, persistent: true, remainingCredits: result.remainingCredits }
  }

  return {
    dir: store.dir,
    /** The originals if they cost nothing now (stored, or drawn offline); undefined if a call is needed. */
    async cached(spec: ResolvedSpec): Promise<OriginalSet | undefined> {
      return ctx.providerFor(spec).persistent ? stored(cacheKey(spec)) : this.get(spec)
    },
    get(spec: ResolvedSpec): Promise<OriginalSet> {
      const key = cacheKey(spec)
      let pending = inflight.get(key)
      if (!pending) {
        pending = find(spec, key)
        inflight.set(key, pending)
        // A failure is not remembered: the next build (or watch rebuild) tries again.
        pending.catch(() => inflight.delete(key))
      }
      return pending
    },
  }
}
