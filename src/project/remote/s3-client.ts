import type { ResolvedRemote } from '../../model/options'
import type { HttpResponse, RetryPolicy } from '../providers/http'
import type { Credentials } from './credentials'
import aws4 from 'aws4'
import { HttpError } from '../../model/errors'
import { sha256 } from '../../model/key'
import { request } from '../providers/http'
import { nodeTransport } from './node-http'

/** One object of a listing. */
export interface Listed { key: string, size: number, modified: Date }

const MiB = 1024 * 1024
const unescapeXml = (s: string) => s.replace(/&(?:#(\d+)|#x([\da-f]+)|(lt|gt|amp|quot|apos));/gi, (_, d, h, n) =>
  d ? String.fromCodePoint(Number(d)) : h ? String.fromCodePoint(Number.parseInt(h, 16)) : ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: '\'' } as Record<string, string>)[n.toLowerCase()]!)
const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]

/**
 * The few S3 calls the remote cache makes, signed with SigV4 by aws4 and sent through
 * the project's one HTTP function (timeouts, bounded bodies, no credentials sent across redirects).
 * Every body is hashed into x-amz-content-sha256, so the service checks what it stores.
 */
export function createS3Client(remote: ResolvedRemote, credentials: Credentials, region: string) {
  const base = new URL(remote.endpoint ?? `https://s3.${region}.amazonaws.com`)
  const policy = (maxBytes = MiB): RetryPolicy => ({ retries: 1, retryDelay: 250, timeout: remote.timeout, maxBytes })
  // A bucket name with dots does not fit a TLS wildcard certificate as a host name: always in the path.
  const pathStyle = remote.pathStyle || remote.bucket.includes('.')
  const encodeKey = (key: string) => key.split('/').map(encodeURIComponent).join('/')
  function urlOf(key: string, query = ''): string {
    const origin = pathStyle ? base.origin : `${base.protocol}//${remote.bucket}.${base.host}`
    const root = base.pathname.replace(/\/+$/, '')
    return `${origin}${root}${pathStyle ? `/${remote.bucket}` : ''}/${encodeKey(key)}${query}`
  }

  async function send(method: 'GET' | 'HEAD' | 'PUT' | 'DELETE', url: string, { body, headers = {}, maxBytes }: { body?: Uint8Array<ArrayBuffer>, headers?: Record<string, string>, maxBytes?: number } = {}): Promise<HttpResponse> {
    const { protocol, host, pathname, search } = new URL(url)
    // aws4 keeps the derived signing key per day and region, and signs synchronously with node:crypto.
    const signed = aws4.sign({ method, host, path: pathname + search, service: 's3', region, headers: { ...headers, 'x-amz-content-sha256': sha256(body ?? '') } }, credentials)
    return request({ method, url: `${protocol}//${host}${signed.path}`, headers: signed.headers as Record<string, string>, body, policy: policy(maxBytes), transport: nodeTransport }).catch((error) => {
      // S3's error bodies echo the access key id and the string signed: only its code and message are kept.
      if (error instanceof HttpError)
        throw new HttpError(method, url, error.status, [tag(error.detail, 'Code'), tag(error.detail, 'Message')].filter(Boolean).join(': ') || (error.status ? '' : error.detail), { cause: error.cause })
      throw error
    })
  }
  const absent = (error: unknown) => {
    if (error instanceof HttpError && error.status === 404)
      return undefined
    throw error
  }

  return {
    /** An object's bytes, or undefined when there is none; a larger one than `maxBytes` is refused as it streams. */
    get: (key: string, maxBytes: number): Promise<Buffer | undefined> => send('GET', urlOf(key), { maxBytes }).then(r => r.body, absent),
    has: (key: string): Promise<boolean> => send('HEAD', urlOf(key)).then(() => true, e => absent(e) ?? false),
    /** Writes an object unless one is there already (If-None-Match: *): false when another writer was first. */
    put: (key: string, body: Uint8Array<ArrayBuffer>, type: string): Promise<boolean> =>
      send('PUT', urlOf(key), { body, headers: { 'content-type': type, 'if-none-match': '*' } }).then(() => true, (error) => {
        // 412: it exists; 409: another conditional write of it is under way (AWS). Either way, another writer's.
        if (error instanceof HttpError && (error.status === 412 || error.status === 409))
          return false
        throw error
      }),
    delete: (key: string): Promise<void> => send('DELETE', urlOf(key)).then(() => {}, absent),
    /** Every object under a prefix, a page (1000) at a time. */
    async* list(prefix: string): AsyncGenerator<Listed> {
      let token: string | undefined
      do {
        const query = `?list-type=2&prefix=${encodeURIComponent(prefix)}${token ? `&continuation-token=${encodeURIComponent(token)}` : ''}`
        const xml = (await send('GET', urlOf('', query), { maxBytes: 64 * MiB })).body.toString('utf8')
        for (const [, item] of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
          const modified = new Date(tag(item!, 'LastModified') ?? '')
          // An object of unknown age is taken as new: prune spares it.
          yield { key: unescapeXml(tag(item!, 'Key') ?? ''), size: Number(tag(item!, 'Size')), modified: Number.isNaN(modified.getTime()) ? new Date() : modified }
        }
        token = tag(xml, 'IsTruncated') === 'true' ? unescapeXml(tag(xml, 'NextContinuationToken') ?? '') : undefined
        if (token === '')
          throw new Error(`the listing of ${remote.label} is cut short without a continuation token`)
      } while (token)
    },
  }
}

export type S3Client = ReturnType<typeof createS3Client>
