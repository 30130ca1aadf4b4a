import type { ResolvedSpec } from '../../model/spec'
import type { CorruptEntry } from '../store/store'
import { HttpError, SeedreamError } from '../../model/errors'
import { UnusablePicture } from './verify'

export const REPAIR_COMMAND = 'npx seedream generate --repair'

/** A corrupt entry named with the spec that needs it and the command that fixes it. */
export function corruptFor(spec: ResolvedSpec, error: CorruptEntry): SeedreamError {
  return new SeedreamError(`"${spec.name}"${spec.file ? ` (${spec.file})` : ''}: ${error.message} Nothing was generated, so nothing was paid. `
    + `Restore the folder from git, or run \`${REPAIR_COMMAND}\` to generate it again (paid) and replace it.`, { spec: spec.name, file: spec.file }, 'SEEDREAM_CORRUPT_ENTRY')
}

/** Why a generation failed, saying when a picture was paid for and lost. */
export function failureOf(spec: ResolvedSpec, provider: string, error: unknown): unknown {
  if (error instanceof UnusablePicture)
    return new SeedreamError(`"${spec.name}": ${provider} returned a picture that ${error.message}. It was billed and is not stored; building again pays for a new one.`, { spec: spec.name, file: spec.file }, 'SEEDREAM_BAD_PICTURE')
  if (error instanceof HttpError && error.mayBeBilled)
    error.message += ` — "${spec.name}" may have been billed for this call; it was not sent again, so as not to pay twice. Check your balance (npx seedream status), then build again to try once more.`
  return error
}

/** A picture of the remote cache failed its check when it was needed (said above): the build does without it. */
export class RemoteUnusable extends SeedreamError {
  constructor(spec: ResolvedSpec, label: string) {
    super(`"${spec.name}"${spec.file ? ` (${spec.file})` : ''}: the picture in the remote cache ${label} cannot be used (see the warning above).`, { spec: spec.name, file: spec.file }, 'SEEDREAM_REMOTE_UNUSABLE')
  }
}
