import type { ResolvedRemote } from '../../model/options'
import type { Logger } from '../ports'
import { addSecrets } from '../../model/errors'
import { findIdentity } from './credentials'

export type { RemoteCache, RemoteStats } from './remote-cache'

/**
 * The run's remote cache, or undefined when none is configured or no credentials are found (said
 * once). Its client is imported only then: a build without a remote never loads it.
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
  const [{ remoteCache }, { remoteHealth }, { createS3Client }] = await Promise.all([import('./remote-cache'), import('./remote-health'), import('./s3-client')])
  return remoteCache(remote, createS3Client(remote, identity.credentials, identity.region), remoteHealth(remote, log))
}
