import type { Stats } from 'node:fs'
import type { ResolvedOutput } from '../../model/options'
import type { Original } from '../generation/original'
import type { Summary } from './variant-types'
import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { writeFileAtomic } from '../store/atomic'
import { markUsed } from '../store/retention'
import { readRegularFile } from '../store/safe-read'
import { checkSummary } from '../store/variant-cache'
import { summary } from './summary'

/**
 * A dev picture's summary (its dominant colour and placeholder), kept beside its dev variants, so
 * that a restarted dev server shows a page of cached pictures without decoding one original (or
 * loading sharp). The file is untrusted like the rest of the cache: it is used only when it has
 * exactly the shape the output's placeholder kind makes; otherwise the summary is made again.
 */
export async function devSummary(devDir: string, id: string, original: Original, out: ResolvedOutput): Promise<Summary> {
  const file = path.join(devDir, `${id.replace('/', '-')}.summary.json`)
  let stat: Stats | undefined
  const kept = await readRegularFile(file, { max: 128 * 1024 }, (s) => { stat = s })
    .then(data => checkSummary(JSON.parse(data.toString('utf8')) ?? {}, out.placeholder))
    .catch(() => undefined)
  if (kept) {
    await markUsed(file, stat!)
    return kept
  }
  const made = await summary({ data: await original.load() }, out.placeholder)
  // A cache that cannot be written costs the next start a decode, not this one its page.
  await mkdir(devDir, { recursive: true }).then(() => writeFileAtomic(file, JSON.stringify(made))).catch(() => {})
  return made
}
