import type { Answer } from './base'
import { createHash } from 'node:crypto'
import { startJsonServer } from './base'
import { sigV4Problem } from './sigv4'

/**
 * An S3-protocol server on loopback (path-style: `/<bucket>/<key>`), for the remote store: PUT
 * (with `If-None-Match: *`), GET, HEAD, DELETE and ListObjectsV2, every request checked for a
 * valid SigV4 signature of one of `keys` in `region`. Faults, latency, `hold()` and the request log
 * come from startJsonServer; `tamper()` changes a stored object behind the client's back.
 */
export interface S3ServerOptions {
  /** Access key id → secret access key. */
  keys: Record<string, string>
  /** Access key id → the session token it was issued with (temporary credentials): sent and signed, or refused. */
  tokens?: Record<string, string>
  buckets: string[]
  region?: string
  latencyMs?: number
}

interface StoredObject { body: Buffer, type: string, etag: string, modified: Date }

const STATUS: Record<string, number> = { AccessDenied: 403, InvalidAccessKeyId: 403, SignatureDoesNotMatch: 403, AuthorizationHeaderMalformed: 400, XAmzContentSHA256Mismatch: 400, InvalidToken: 400, NoSuchBucket: 404, NoSuchKey: 404, PreconditionFailed: 412, MethodNotAllowed: 405 }
const xml = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?>\n${body}`
const escape = (s: string) => s.replace(/[<>&'"]/g, c => `&#${c.charCodeAt(0)};`)

function s3Error(code: string, resource: string): Answer {
  return { status: STATUS[code] ?? 400, body: xml(`<Error><Code>${code}</Code><Message>${code}</Message><Resource>${escape(resource)}</Resource></Error>`), headers: { 'content-type': 'application/xml' } }
}

/** Temporary credentials: their token must be in x-amz-security-token, among the signed headers. */
function tokenProblem(req: { headers: Record<string, string | string[] | undefined> }, tokens: Record<string, string> = {}): string | undefined {
  const auth = String(req.headers.authorization ?? '')
  const token = tokens[/Credential=([^/]+)\//.exec(auth)?.[1] ?? '']
  const signed = /SignedHeaders=([^,]+)/.exec(auth)?.[1]?.split(';') ?? []
  return !token || (req.headers['x-amz-security-token'] === token && signed.includes('x-amz-security-token')) ? undefined : 'InvalidToken'
}

/** ListObjectsV2: keys under `prefix` in order, `max-keys` a page, the continuation token the last key given (base64). */
function list(objects: Map<string, StoredObject>, bucket: string, params: URLSearchParams): Answer {
  const prefix = params.get('prefix') ?? ''
  const after = params.has('continuation-token') ? Buffer.from(params.get('continuation-token')!, 'base64').toString('utf8') : ''
  const max = Number(params.get('max-keys') ?? 1000)
  const keys = [...objects.keys()].filter(k => k.startsWith(prefix) && k > after).sort()
  const page = keys.slice(0, max)
  const truncated = keys.length > page.length
  const contents = page.map(k => `<Contents><Key>${escape(k)}</Key><LastModified>${objects.get(k)!.modified.toISOString()}</LastModified><Size>${objects.get(k)!.body.length}</Size><ETag>${escape(objects.get(k)!.etag)}</ETag></Contents>`).join('')
  const next = truncated ? `<NextContinuationToken>${Buffer.from(page.at(-1)!).toString('base64')}</NextContinuationToken>` : ''
  return { status: 200, body: xml(`<ListBucketResult><Name>${escape(bucket)}</Name><Prefix>${escape(prefix)}</Prefix><KeyCount>${page.length}</KeyCount><MaxKeys>${max}</MaxKeys><IsTruncated>${truncated}</IsTruncated>${contents}${next}</ListBucketResult>`), headers: { 'content-type': 'application/xml' } }
}

export async function startS3Server(options: S3ServerOptions) {
  const region = options.region ?? 'us-east-1'
  const buckets = new Map(options.buckets.map(b => [b, new Map<string, StoredObject>()]))
  const server = await startJsonServer(async (req) => {
    const url = new URL(req.path, 'http://s3.invalid')
    const [, bucket = '', ...rest] = url.pathname.split('/')
    const key = decodeURIComponent(rest.join('/'))
    const problem = sigV4Problem(req, options.keys, region) ?? tokenProblem(req, options.tokens)
    if (problem)
      return s3Error(problem, url.pathname)
    const objects = buckets.get(decodeURIComponent(bucket))
    if (!objects)
      return s3Error('NoSuchBucket', url.pathname)
    if (!key)
      return req.method === 'GET' && url.searchParams.get('list-type') === '2' ? list(objects, bucket, url.searchParams) : s3Error('MethodNotAllowed', url.pathname)
    const found = objects.get(key)
    if (req.method === 'PUT') {
      if (req.headers['if-none-match'] === '*' && found)
        return s3Error('PreconditionFailed', url.pathname)
      const etag = `"${createHash('md5').update(req.raw).digest('hex')}"`
      objects.set(key, { body: req.raw, type: String(req.headers['content-type'] ?? 'application/octet-stream'), etag, modified: new Date() })
      return { status: 200, body: undefined, headers: { etag } }
    }
    if (req.method === 'DELETE') {
      objects.delete(key)
      return { status: 204, body: undefined }
    }
    if (!found)
      return s3Error('NoSuchKey', url.pathname)
    return { status: 200, body: found.body, headers: { 'content-type': found.type, 'etag': found.etag } }
  }, { latencyMs: options.latencyMs })
  return Object.assign(server, {
    region,
    /** The objects of a bucket, as stored. */
    objects: (bucket: string) => buckets.get(bucket)!,
    /** Makes every object of a bucket look `ms` older, for rules that spare recent uploads. */
    age(bucket: string, ms: number): void {
      for (const object of buckets.get(bucket)!.values())
        object.modified = new Date(object.modified.getTime() - ms)
    },
    /** Flips a byte of a stored object (its ETag unchanged): what a client reads must then fail its own check. */
    tamper(bucket: string, key: string): void {
      const object = buckets.get(bucket)!.get(key)!
      object.body = Buffer.from(object.body)
      object.body[object.body.length >> 1]! ^= 0xFF
    },
  })
}

export type S3Server = Awaited<ReturnType<typeof startS3Server>>
