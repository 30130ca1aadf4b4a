/**
 * The shared remote cache: a bucket on any S3-compatible service (AWS S3, Cloudflare R2, MinIO,
 * Backblaze B2, GCS in interoperability mode). Credentials come from the standard AWS variables
 * or a profile, never from here.
 */
export interface RemoteOptions {
  /**
   * The bucket and an optional prefix, `s3://my-bucket/seedream`.
   * @default process.env.SEEDREAM_REMOTE
   */
  url: string
  /**
   * The service's endpoint, for anything but AWS: R2 `https://<account>.r2.cloudflarestorage.com`,
   * MinIO `http://127.0.0.1:9000`.
   * @default process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL ?? `https://s3.${region}.amazonaws.com`
   */
  endpoint?: string
  /**
   * The signing region (`auto` for R2).
   * @default process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? the profile's region ?? 'us-east-1'
   */
  region?: string
  /**
   * The profile of `~/.aws/credentials` and `~/.aws/config` to sign with. Set here, it wins over
   * the key variables (as in the AWS SDKs); else they win over AWS_PROFILE.
   * @default process.env.AWS_PROFILE ?? 'default'
   */
  profile?: string
  /**
   * Put the bucket in the path (`endpoint/bucket/key`) instead of the host name.
   * @default true with a custom endpoint, false on AWS
   */
  pathStyle?: boolean
  /**
   * Look in the bucket before paying a provider or running sharp.
   * @default true
   */
  read?: boolean
  /**
   * Upload what this run generated and encoded (pull requests from forks: false).
   * @default true, unless SEEDREAM_REMOTE_WRITE=0
   */
  write?: boolean
  /**
   * Time allowed for one request to the bucket, in milliseconds.
   * @default 15000
   */
  timeout?: number
}

/** The remote as a run uses it; credentials are looked up by the project, not kept here. */
export interface ResolvedRemote {
  /** `s3://bucket/prefix`, for messages. */
  label: string
  bucket: string
  /** '' or a prefix ending in '/'. */
  prefix: string
  /** Custom endpoint, without a trailing slash; undefined for AWS. */
  endpoint?: string
  region?: string
  /** Only when the options name one. */
  profile?: string
  pathStyle: boolean
  read: boolean
  write: boolean
  timeout: number
}

/** `s3://bucket/prefix`: a DNS-compatible bucket name, then any prefix. */
export const S3_URL = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/

/**
 * A bucket URL whose prefix stays a prefix: no `.` or `..` segment (a URL would resolve it, and
 * reach out of the prefix, or into another bucket), no control character.
 */
export function isBucketUrl(url: unknown): url is string {
  const prefix = typeof url === 'string' ? S3_URL.exec(url)?.[2] : undefined
  return typeof url === 'string' && S3_URL.test(url) && !(prefix && (/[\x00-\x1F\x7F\\]/.test(prefix) || prefix.split('/').some(p => p === '.' || p === '..')))
}
