import type { GeneratedImage, ResolvedSpec, VerifiedImage } from '../../model/resolved'
import { mkdir, readdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { writeFileAtomic } from './atomic'
import { redact } from '../../model/errors'
import { detectImageType } from '../images/image-type'
import { readRegularFile } from './safe-read'
import { verifyPicture } from '../generation/verify'

/** A paid job submitted to a host: enough to ask for its result again from another process. */
export interface JobRecord {
  requestId: string
  submittedAt: string
  /** Where the host said to ask for the job's state and result (on its own origin), when it said. */
  statusUrl?: string
  resultUrl?: string
  /** Set once the job's pictures were all received (fewer than asked, sometimes). */
  received?: number
}

/** What a provider may leave and find again between attempts at one key. */
export interface JobJournal {
  /** Pictures already paid for and verified, by slot (their index in the spec's pictures). */
  kept: Map<number, VerifiedImage>
  /** Verifies a paid picture and writes it down at once, so that a later failure cannot lose it. */
  keep: (slot: number, image: GeneratedImage) => Promise<VerifiedImage>
  job: (task: number) => JobRecord | undefined
  /** Written before any wait, so a killed build's successor resumes the job instead of paying again. */
  record: (task: number, job: JobRecord | undefined) => Promise<void>
}

const FILE = /^(\d+)\.(jpeg|png|webp|avif|gif)$/
const JOB = /^job-(\d+)\.json$/

/** How many pictures a journal holds, counted by name (what the budget need not pay for again). */
export async function keptPictures(dir: string): Promise<number> {
  const slots = (await readdir(dir).catch(() => [] as string[])).map(n => FILE.exec(n)?.[1]).filter(Boolean)
  return new Set(slots).size
}

/** The folder of one key's journal: `<store>/.jobs/<key prefix>/`, kept out of git. */
export const journalDir = (storeDir: string, key: string) => path.join(storeDir, '.jobs', key.slice(0, 16))

/**
 * Opens the journal of one key. What it holds is untrusted like the rest of the store: pictures
 * are verified again and unreadable job records are ignored (with the picture lost, not repaid).
 */
export async function openJournal(dir: string, spec: ResolvedSpec, maxBytes: number, warn: (m: string) => void): Promise<JobJournal & { clear: () => Promise<void> }> {
  const kept = new Map<number, VerifiedImage>()
  const jobs = new Map<number, JobRecord>()
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const picture = FILE.exec(name)
    const job = JOB.exec(name)
    const file = path.join(dir, name)
    // Slots the spec does not have are not its pictures, whatever a file is named.
    if (picture && Number(picture[1]) < spec.picture.max_images && !kept.has(Number(picture[1]))) {
      const data = await readRegularFile(file, { max: maxBytes }).catch(() => Buffer.alloc(0))
      const format = detectImageType(data)
      const verified = format && await verifyPicture({ data, format }, spec, maxBytes).catch(() => undefined)
      if (verified)
        kept.set(Number(picture[1]), verified)
      else warn(`"${spec.name}": ${file}, a paid picture kept for this spec, is no longer a usable picture: it is ignored, and that picture is lost`)
    }
    else if (job) {
      const record = await readRegularFile(file, { max: 64 * 1024 }).then(b => JSON.parse(b.toString('utf8'))).catch(() => undefined)
      if (typeof record?.requestId === 'string' && typeof record.submittedAt === 'string')
        jobs.set(Number(job[1]), record)
    }
  }
  return {
    kept,
    async keep(slot, image) {
      const verified = await verifyPicture(image, spec, maxBytes)
      await mkdir(dir, { recursive: true })
      await writeFileAtomic(path.join(dir, `${slot}.${verified.format}`), verified.data)
      kept.set(slot, verified)
      return verified
    },
    job: task => jobs.get(task),
    async record(task, job) {
      const file = path.join(dir, `job-${task}.json`)
      if (!job) {
        jobs.delete(task)
        return rm(file, { force: true })
      }
      await mkdir(dir, { recursive: true })
      await writeFileAtomic(file, redact(`${JSON.stringify(job, null, 2)}\n`))
      jobs.set(task, job)
    },
    clear: () => rm(dir, { recursive: true, force: true }),
  }
}
