import type { CorruptEntry, Inventory, Project } from '../project'
import type { ResolvedSpec } from '../model/resolved'
import { SeedreamError } from '../model/errors'

/** Every stored file of the specs' entries read, checked against its hash and decoded in full. */
export async function verifyEntries(project: Project, inv: Inventory): Promise<CorruptEntry[]> {
  const damaged: CorruptEntry[] = []
  for (const s of inv.specs.filter(s => s.state === 'cached')) {
    const problem = await project.store.verify((await project.store.read(s.key))!)
    if (problem) {
      damaged.push(problem)
      s.state = 'corrupt'
    }
  }
  return damaged
}

/** The account's balance, where the default provider tells it for free (Segmind's get-user-credits). */
export async function balanceLine(project: Project, specs: ResolvedSpec[]): Promise<{ text: string, data: unknown } | undefined> {
  const spec = specs.find(s => s.provider !== 'placeholder')
  const provider = spec && project.providerFor(spec)
  if (!provider?.balance || !spec)
    return undefined
  try {
    provider.assertReady?.(spec)
    const b = await provider.balance(AbortSignal.timeout(10_000))
    return { text: `Balance (${provider.name}): ${b.credits} credits${b.freeCredits ? ` + ${b.freeCredits} free` : ''}`, data: b }
  }
  catch (error: any) {
    return error instanceof SeedreamError ? undefined : { text: `Balance (${provider.name}): unavailable (${error.message})`, data: null }
  }
}
