import type { ResolvedRemote } from '../../model/options'
import type { Logger } from '../ports'
import { HttpError, redact } from '../../model/errors'

export interface RemoteStats {
  /** Originals found in the bucket (their meta.json), and those whose pictures were downloaded. */
  originals: number
  downloaded: number
  /** Variant sets read from the bucket. */
  variantSets: number
  uploaded: number
  uploadedBytes: number
  /** Objects that failed their checks. */
  ignored: number
}

/**
 * What a run knows of its remote: whether it still reads and writes, what it moved, and the one
 * warning a failure costs. Bad objects are named, each time, with the way to get rid of them.
 */
export function remoteHealth(remote: ResolvedRemote, log: Logger) {
  const state = { read: remote.read, write: remote.write }
  const stats: RemoteStats = { originals: 0, downloaded: 0, variantSets: 0, uploaded: 0, uploadedBytes: 0, ignored: 0 }

  function failed(error: any, writing: boolean): undefined {
    const reason = redact(error instanceof HttpError ? `${error.status ?? 'network error'} ${error.detail}` : String(error?.message ?? error))
    const denied = error instanceof HttpError && error.status === 403
    if (writing) {
      // A failed write turns writing off only: what the bucket has is still worth reading.
      if (state.write)
        log.warn(`Cannot write to the remote cache ${remote.label} (${reason}): this run only reads from it.${denied ? ' Allow s3:PutObject and s3:DeleteObject, or set remote.write: false.' : ''}`)
      state.write = false
    }
    else if (state.read) {
      state.read = state.write = false
      log.warn(`The remote cache ${remote.label} does not answer (${reason}): this run goes on without it, with the local store and the provider.`
        + `${denied ? ' Check the credentials, and allow s3:GetObject and s3:ListBucket (without it, S3 answers 403 for a missing object).' : ''}`)
    }
    return undefined
  }

  return {
    state,
    stats,
    failed,
    ignore(object: string, why: string, deleting: boolean): void {
      stats.ignored++
      log.warn(`${remote.label}/${object.slice(remote.prefix.length)} ${why}: ignored, never used; ${deleting ? 'it is deleted, for the next upload to replace it' : 'delete it (this run does not write to the bucket)'}.`)
    },
    /** A read that turns the remote off (with its one warning) instead of failing; `evenIfOff` asks a remote read is switched off for. */
    async guarded<T>(work: () => Promise<T>, evenIfOff = false): Promise<T | undefined> {
      if (!state.read && !(evenIfOff && remote.read === false && state.write))
        return undefined
      try { return await work() }
      catch (error) { return failed(error, false) }
    },
  }
}

export type RemoteHealth = ReturnType<typeof remoteHealth>
