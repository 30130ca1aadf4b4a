import type { Budget } from '../../model/options'
import type { ResolvedSpec } from '../../model/resolved'
import { SeedreamError } from '../../model/errors'

export const FILL_COMMAND = 'npx seedream generate'

export const specLabel = (s: Pick<ResolvedSpec, 'name' | 'file' | 'candidate'>) => `"${s.name}"${s.candidate ? ` candidate ${s.candidate + 1}` : ''}${s.file ? ` (${s.file})` : ''}`
const money = (n: number) => `$${n.toFixed(2)}`

/**
 * Frozen mode and the budget: what a build may spend, checked before each call. Reservations are
 * released when a call fails, since only a successful generation is billed.
 */
export function createGuard(frozen: boolean, budget: Required<Budget>, prices: Record<string, number>) {
  let images = 0
  let cost = 0
  const priceOf = (s: ResolvedSpec) => (prices[`${s.provider}/${s.picture.model}`] ?? 0) * s.picture.max_images

  function overBudget(count: number, spend: number, what: string): SeedreamError | undefined {
    if (count <= budget.maxImages && spend <= budget.maxCost)
      return undefined
    return new SeedreamError(`${what} would generate ${count} image(s), about ${money(spend)}, over the budget of `
      + `${budget.maxImages} image(s) and ${Number.isFinite(budget.maxCost) ? money(budget.maxCost) : 'no cost limit'} a build. `
      + `Raise budget.maxImages / budget.maxCost in the seedream options, or fill the cache on purpose with \`${FILL_COMMAND}\`.`, {}, 'SEEDREAM_BUDGET')
  }

  return {
    frozen,
    priceOf,
    spent: () => ({ images, cost }),

    /** At build start: the misses known before any call (less what journals kept), all refused together. */
    precheck(missing: ResolvedSpec[], kept: number[] = []): void {
      if (frozen || !missing.length)
        return
      const toPay = missing.map((s, i) => Math.max(0, s.picture.max_images - (kept[i] ?? 0)))
      const spend = missing.reduce((n, s, i) => n + (priceOf(s) / s.picture.max_images) * toPay[i]!, 0)
      const error = overBudget(toPay.reduce((n, c) => n + c, 0), spend, `This build is missing ${missing.map(specLabel).join(', ')}: it`)
      if (error)
        throw error
    },

    /** In frozen mode, a miss is an error naming it and every other known miss. */
    assertCanGenerate(spec: ResolvedSpec, missing: ResolvedSpec[]): void {
      if (!frozen)
        return
      const all = [spec, ...missing.filter(s => s.name !== spec.name || s.file !== spec.file)]
      throw new SeedreamError(`Frozen mode: no image is generated, and ${all.length} spec(s) have no image in the cache:\n`
        + `${all.map(s => `  - ${specLabel(s)}`).join('\n')}\nFill it with \`${FILL_COMMAND}\` (with SEGMIND_API_KEY set) and commit .seedream/.`, { spec: spec.name, file: spec.file }, 'SEEDREAM_FROZEN')
    },

    /**
     * Before one generation: counts its `count` pictures still to pay for (all of them, unless an
     * earlier attempt kept some in the journal) against the budget, or refuses it.
     */
    reserve(spec: ResolvedSpec, count = spec.picture.max_images): void {
      const price = (priceOf(spec) / spec.picture.max_images) * count
      const error = overBudget(images + count, cost + price, `Generating ${specLabel(spec)}`)
      if (error)
        throw error
      images += count
      cost += price
    },

    release(spec: ResolvedSpec, count = spec.picture.max_images): void {
      images -= count
      cost -= (priceOf(spec) / spec.picture.max_images) * count
    },
  }
}

export type Guard = ReturnType<typeof createGuard>
