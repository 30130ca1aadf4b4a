import type { ResolvedRemote } from '../../model/options'
import type { HttpResponse, RetryPolicy } from '../providers/http'
import type { Credentials } from './credentials'
import { AwsV4Signer } from 'aws4fetch'
import { HttpError } from '../../model/errors'
import { sha256 } from '../../model/key'
import { request } from '../providers/http'

/** One object of a listing. */
export interface Listed { key: string, size: number, modified: Date }

const MiB = 1024 * 1024
const unescapeXml = (s: string) => s.replace(/&(?:#(\d+)|#x([\da-f]+)|(lt|gt|amp|quot|apos));/gi, (_, d, h, n) =>
  d ? String.fromCodePoint(Number(d)) : h ? String.fromCodePoint(Number.parseInt(h, 16)) : ({ lt: '<', gt: '>', amp: '&', quot: '"', apos: '\'' } as Record<string, string>)[n.toLowerCase()]!)
const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1]

/**
 * The few S3 calls the remote cache makes, signed with SigV4 by aws4fetch's signer and sent through
 * the project's one HTTP function (timeouts, bounded bodies, no credentials sent across redirects).
 * Every body is hashed into x-amz-content-sha256, so the service checks what it stores.
 */
export function createS3Client(remote: ResolvedRemote, credentials: Credentials, region: string) {
  const base = new URL(remote.endpoint ?? `https://s3.${region}.amazonaws.com`)
  const policy: RetryPolicy = { retries: 1, retryDelay: 250, timeout: remote.timeout, maxBytes: 512 * MiB }
  const encodeKey = (key: string) => key.split('/').map(encodeURIComponent).join('/')
  function urlOf(key: string, query = ''): string {
    const origin = remote.pathStyle ? base.origin : `${base.protocol}//${remote.bucket}.${base.host}`
    const root = base.pathname.replace(/\/+$/, '')
    return `${origin}${root}${remote.pathStyle ? `/${remote.bucket}` : ''}/${encodeKey(key)}${query}`
  }

  async function send(method: 'GET' | 'HEAD' | 'PUT' | 'DELETE', url: string, body?: Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}): Promise<HttpResponse> {
    const signer = new AwsV4Signer({ method, url, headers: { ...headers, 'x-amz-content-sha256': sha256(body ?? '') }, ...credentials, service: 's3', region })
    const signed = await signer.sign()
    return request({ method, url: signed.url.toString(), headers: Object.fromEntries(signed.headers), body, policy })
  }
  const absent = (error: unknown) => {
    if (error instanceof HttpError && error.status === 404)
      return undefined
    throw error
  }

  return {
    /** An object's bytes, or undefined when there is none. */
    get: (key: string): Promise<Buffer | undefined> => send('GET', urlOf(key)).then(r => r.body, absent),
    has: (key: string): Promise<boolean> => send('HEAD', urlOf(key)).then(() => true, e => absent(e) ?? false),
    /** Writes an object unless one is there already (If-None-Match: *): false when another writer was first. */
    put: (key: string, body: Uint8Array<ArrayBuffer>, type: string): Promise<boolean> =>
      send('PUT', urlOf(key), body, { 'content-type': type, 'if-none-match': '*' }).then(() => true, (error) => {
        if (error instanceof HttpError && error.status === 412)
          return false
        throw error
      }),
    delete: (key: string): Promise<void> => send('DELETE', urlOf(key)).then(() => {}, absent),
    /** Every object under a prefix, a page (1000) at a time. */
    async* list(prefix: string): AsyncGenerator<Listed> {
      let token: string | undefined
      do {
        const query = `?list-type=2&prefix=${encodeURIComponent(prefix)}${token ? `&continuation-token=${encodeURIComponent(token)}` : ''}`
        const xml = (await send('GET', urlOf('', query))).body.toString('utf8')
        for (const [, item] of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g))
          yield { key: unescapeXml(tag(item!, 'Key') ?? ''), size: Number(tag(item!, 'Size')), modified: new Date(tag(item!, 'LastModified') ?? 0) }
        token = tag(xml, 'IsTruncated') === 'true' ? unescapeXml(tag(xml, 'NextContinuationToken') ?? '') : undefined
      } while (token)
    },
  }
}

export type S3Client = ReturnType<typeof createS3Client>
