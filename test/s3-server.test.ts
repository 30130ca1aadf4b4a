import type { S3Server } from './servers/s3'
import { AwsClient } from 'aws4fetch'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { startS3Server } from './servers/s3'

// The S3 loopback server itself (for the remote store of issue 14), driven by aws4fetch, a
// SigV4 client independent of the server's own check (test/servers/sigv4.ts).

const ACCESS = 'AKIATESTLOOPBACK0001'
const SECRET = 'loopback/secret/key/0123456789abcdefABCDEF'
let s3: S3Server
let client: AwsClient
beforeEach(async () => {
  s3 = await startS3Server({ keys: { [ACCESS]: SECRET }, buckets: ['team'] })
  client = new AwsClient({ accessKeyId: ACCESS, secretAccessKey: SECRET, service: 's3', region: s3.region })
})
afterEach(() => s3.close())

const code = async (res: Response) => (await res.text()).match(/<Code>(\w+)<\/Code>/)?.[1]

describe('S3 loopback server', () => {
  it('stores, reads, heads, lists in pages and deletes objects, each request signed', async () => {
    const body = Buffer.from('a picture, or its metadata')
    expect((await client.fetch(`${s3.url}/team/pictures/a%20b/1.avif`, { method: 'PUT', body, headers: { 'content-type': 'image/avif' } })).status).toBe(200)
    const got = await client.fetch(`${s3.url}/team/pictures/a%20b/1.avif`)
    expect(got.status).toBe(200)
    expect(got.headers.get('content-type')).toBe('image/avif')
    expect(Buffer.from(await got.arrayBuffer()).equals(body)).toBe(true)
    const head = await client.fetch(`${s3.url}/team/pictures/a%20b/1.avif`, { method: 'HEAD' })
    expect([head.status, head.headers.get('content-length')]).toEqual([200, String(body.length)])
    for (const n of [2, 3])
      await client.fetch(`${s3.url}/team/pictures/a%20b/${n}.avif`, { method: 'PUT', body })
    const first = await (await client.fetch(`${s3.url}/team?list-type=2&prefix=pictures%2F&max-keys=2`)).text()
    expect(first).toContain('<KeyCount>2</KeyCount>')
    expect(first).toContain('<IsTruncated>true</IsTruncated>')
    const token = first.match(/<NextContinuationToken>([^<]+)</)![1]!
    const second = await (await client.fetch(`${s3.url}/team?list-type=2&prefix=pictures%2F&continuation-token=${encodeURIComponent(token)}`)).text()
    expect(second).toContain('<Key>pictures/a b/3.avif</Key>')
    expect(second).toContain('<IsTruncated>false</IsTruncated>')
    expect((await client.fetch(`${s3.url}/team/pictures/a%20b/1.avif`, { method: 'DELETE' })).status).toBe(204)
    expect(await code(await client.fetch(`${s3.url}/team/pictures/a%20b/1.avif`))).toBe('NoSuchKey')
  })

  it('refuses what S3 refuses: no signature, a wrong secret, another region, a body that is not the one signed', async () => {
    expect(await code(await fetch(`${s3.url}/team/x`))).toBe('AccessDenied')
    const wrong = new AwsClient({ accessKeyId: ACCESS, secretAccessKey: `${SECRET}x`, service: 's3', region: s3.region })
    expect(await code(await wrong.fetch(`${s3.url}/team/x`))).toBe('SignatureDoesNotMatch')
    const elsewhere = new AwsClient({ accessKeyId: ACCESS, secretAccessKey: SECRET, service: 's3', region: 'eu-west-3' })
    expect(await code(await elsewhere.fetch(`${s3.url}/team/x`))).toBe('AuthorizationHeaderMalformed')
    const stranger = new AwsClient({ accessKeyId: 'AKIAUNKNOWN', secretAccessKey: SECRET, service: 's3', region: s3.region })
    expect(await code(await stranger.fetch(`${s3.url}/team/x`))).toBe('InvalidAccessKeyId')
    // Signed for one body, sent with another.
    const signed = await client.sign(`${s3.url}/team/x`, { method: 'PUT', body: 'original', headers: { 'x-amz-content-sha256': 'e'.repeat(64) } })
    expect(await code(await fetch(signed.url, { method: 'PUT', headers: signed.headers, body: 'original' }))).toBe('XAmzContentSHA256Mismatch')
    expect(s3.objects('team').size).toBe(0)
  })

  it('answers a conditional write of a key that exists with 412, keeping the first writer\'s bytes; a tampered object reads back changed', async () => {
    const put = (body: string) => client.fetch(`${s3.url}/team/k`, { method: 'PUT', body, headers: { 'if-none-match': '*' } })
    expect((await put('first')).status).toBe(200)
    expect(await code(await put('second'))).toBe('PreconditionFailed')
    expect(await (await client.fetch(`${s3.url}/team/k`)).text()).toBe('first')
    s3.tamper('team', 'k')
    expect(await (await client.fetch(`${s3.url}/team/k`)).text()).not.toBe('first')
  })

  it('serves faults in front of the protocol: a 503, then the request through', async () => {
    // aws4fetch retries a 5xx by itself (10 times by default): what a remote store must switch off or count.
    const once = new AwsClient({ accessKeyId: ACCESS, secretAccessKey: SECRET, service: 's3', region: s3.region, retries: 0 })
    s3.fail({ status: 503, body: 'Slow Down' })
    expect((await once.fetch(`${s3.url}/team/k`)).status).toBe(503)
    expect(await code(await once.fetch(`${s3.url}/team/k`))).toBe('NoSuchKey')
    expect(s3.state.requests.map(r => r.fault ?? r.status)).toEqual(['status', 404])
  })
})
