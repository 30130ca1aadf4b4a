import type { IncomingHttpHeaders } from 'node:http'
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'

/**
 * AWS Signature Version 4, checked the way S3 checks it, written from the specification
 * (docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html) with node:crypto alone, so
 * that a client signing wrongly fails against it whatever library the client uses.
 */
export interface SignedRequest { method: string, path: string, headers: IncomingHttpHeaders, raw: Buffer }

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/
const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest()
// RFC 3986: what encodeURIComponent leaves alone beyond the unreserved set is encoded too.
const encode = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, c => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

/** The S3 error code for a request that is not properly signed with one of `keys` in `region`, or undefined when it is. */
export function sigV4Problem(req: SignedRequest, keys: Record<string, string>, region: string): string | undefined {
  const auth = AUTH.exec(String(req.headers.authorization ?? ''))
  if (!auth)
    return 'AccessDenied'
  const [, accessKey, date, scopeRegion, signedHeaders, signature] = auth as unknown as string[]
  const secret = keys[accessKey!]
  if (!secret)
    return 'InvalidAccessKeyId'
  const amzDate = String(req.headers['x-amz-date'] ?? '')
  const signed = signedHeaders!.split(';')
  if (scopeRegion !== region || !amzDate.startsWith(date!) || !signed.includes('host'))
    return 'AuthorizationHeaderMalformed'
  const payload = String(req.headers['x-amz-content-sha256'] ?? '')
  if (payload !== 'UNSIGNED-PAYLOAD' && payload !== sha256(req.raw))
    return 'XAmzContentSHA256Mismatch'
  const url = new URL(req.path, 'http://s3.invalid')
  const query = [...url.searchParams].map(([k, v]) => `${encode(k)}=${encode(v)}`).sort().join('&')
  const headers = signed.map(h => `${h}:${String(req.headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('')
  const canonical = [req.method, url.pathname, query, headers, signedHeaders, payload].join('\n')
  const scope = `${date}/${region}/s3/aws4_request`
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n')
  const key = ['s3', 'aws4_request'].reduce(hmac, hmac(hmac(`AWS4${secret}`, date!), region))
  const expected = createHmac('sha256', key).update(toSign).digest()
  return timingSafeEqual(expected, Buffer.from(signature!, 'hex')) ? undefined : 'SignatureDoesNotMatch'
}
