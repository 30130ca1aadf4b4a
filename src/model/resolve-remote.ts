import type { Options } from './options'
import type { RemoteOptions, ResolvedRemote } from './remote-options'
import { SpecError } from './errors'
import { isBucketUrl, S3_URL } from './remote-options'

export const REMOTE_TIMEOUT = 15_000

const isOff = (v: string | undefined) => v !== undefined && /^(?:0|false|no|off)$/i.test(v.trim())

/** The remote option as an object, `SEEDREAM_REMOTE` standing in for an absent one; `false` turns both off. */
function remoteOf(option: Options['remote'], env: NodeJS.ProcessEnv): RemoteOptions | undefined {
  if (option === false)
    return undefined
  if (typeof option === 'string')
    return { url: option }
  if (option)
    return option
  const url = env.SEEDREAM_REMOTE?.trim()
  if (!url)
    return undefined
  if (!isBucketUrl(url))
    throw new SpecError([{ field: 'SEEDREAM_REMOTE', message: 'must be a bucket URL such as "s3://my-bucket/seedream"' }], { file: 'the environment' })
  return { url }
}

/** The remote, resolved once per project, or undefined when none is configured. */
export function resolveRemote(option: Options['remote'], env: NodeJS.ProcessEnv): ResolvedRemote | undefined {
  const remote = remoteOf(option, env)
  if (!remote)
    return undefined
  const [, bucket, rest = ''] = S3_URL.exec(remote.url)!
  const prefix = rest.replace(/^\/+|\/+$/g, '')
  const endpoint = (remote.endpoint || env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || '').replace(/\/+$/, '') || undefined
  return {
    label: `s3://${bucket}${prefix ? `/${prefix}` : ''}`,
    bucket: bucket!,
    prefix: prefix ? `${prefix}/` : '',
    endpoint,
    region: remote.region || env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined,
    profile: remote.profile || undefined,
    pathStyle: remote.pathStyle ?? Boolean(endpoint),
    read: remote.read ?? true,
    write: remote.write ?? !isOff(env.SEEDREAM_REMOTE_WRITE),
    timeout: remote.timeout ?? REMOTE_TIMEOUT,
  }
}
