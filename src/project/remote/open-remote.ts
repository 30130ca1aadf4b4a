import type { ResolvedRemote } from '../../model/options'
import type { Logger } from '../ports'
import { addSecrets } from '../../model/errors'
import { findIdentity } from './credentials'
import { remoteCache } from './remote-cache'
import { remoteHealth } from './remote-health'
import { createS3Client } from './s3-client'

export type { RemoteCache, RemoteStats } from './remote-cache'

/**
 * The run's remote cache, or undefined when none is configured or no credentials are found (said
 * once). Its modules are imported with the project's (aws4 is 15 KB): a lazy import cost a fresh
 * runner's first requests ~7 ms while Vite's own start held the main thread.
 */
export async function openRemote(remote: ResolvedRemote | undefined, log: Logger) {
  if (!remote)
    return undefined
  const identity = findIdentity(remote)
  if (!identity.credentials) {
    log.warn(`The remote cache ${remote.label} is not used: no AWS credentials were found (${identity.source}).`)
    return undefined
  }
  addSecrets(identity.credentials.accessKeyId, identity.credentials.secretAccessKey, identity.credentials.sessionToken)
  return remoteCache(remote, createS3Client(remote, identity.credentials, identity.region), remoteHealth(remote, log))
}
