import type { RunStats } from '../project/ports'

/** The end-of-build line: what was paid for, reused and emitted. */
export function buildSummary(s: RunStats | undefined): string {
  if (!s)
    return 'no image'
  const kib = (s.bytesEmitted / 1024).toFixed(0)
  const credits = s.remainingCredits === undefined ? '' : `, ${s.remainingCredits} credits left`
  return `${s.generated} generated (~$${s.spend.toFixed(2)}${credits}), ${s.reused} reused; `
    + `${s.variantsMade} variants made, ${s.variantsReused} reused; ${kib} KiB emitted`
}
