import type { S3Server } from './servers/s3'
import type { SegmindServer } from './servers/segmind'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { optionIssues } from '../src/model/option-rules'
import { resolveRemote } from '../src/model/resolve-remote'
import { findIdentity } from '../src/project/remote/credentials'
import { copyFixture, listFiles, NO_FILE, TEST_KEY, viteBuild, withEnv } from './helpers'
import { startS3Server } from './servers/s3'
import { startSegmindServer } from './servers/segmind'

// Issue 14: runners that share one bucket. Each runner is a fresh copy of the fixture app with an
// empty store and an empty variants cache; the bucket is an S3-protocol server on loopback that
// checks every SigV4 signature (test/servers/sigv4.ts), and Segmind's stand-in keeps the ledger.

const ACCESS = 'AKIATESTRUNNERS00001'
const SECRET = 'runner/secret/0123456789abcdefABCDEF+xyz'
// Temporary credentials (STS, an OIDC role in CI): a key, its secret and the session token issued with them.
const TEMPORARY = { AWS_ACCESS_KEY_ID: 'ASIATESTTEMPORARY001', AWS_SECRET_ACCESS_KEY: 'temporary/secret/0123456789', AWS_SESSION_TOKEN: 'IQoJb3JpZ2luX2VjEtemporary+token/xyz==' }
let s3: S3Server
let segmind: SegmindServer
beforeEach(async () => {
  s3 = await startS3Server({ keys: { [ACCESS]: SECRET, [TEMPORARY.AWS_ACCESS_KEY_ID]: TEMPORARY.AWS_SECRET_ACCESS_KEY }, tokens: { [TEMPORARY.AWS_ACCESS_KEY_ID]: TEMPORARY.AWS_SESSION_TOKEN }, buckets: ['team'] })
  segmind = await startSegmindServer({ keys: [TEST_KEY] })
})
afterEach(async () => {
  await s3.close()
  await segmind.close()
})

const remote = (extra: object = {}) => ({ url: 's3://team/site', endpoint: s3.url, ...extra })
const aws = { AWS_ACCESS_KEY_ID: ACCESS, AWS_SECRET_ACCESS_KEY: SECRET }
/** A runner that may pay: the key and the provider's URL. */
const paying = () => ({ ...aws, SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: segmind.url })
/** A runner in CI without the provider's key: frozen, so a picture found nowhere fails the build. */
const frozen = () => ({ ...aws, CI: 'true', SEGMIND_API_URL: segmind.url })
const options = (extra: object = {}) => ({ widths: [64, 128], remote: remote(extra) })

async function runner(env: Record<string, string>, extra: object = {}) {
  const root = await copyFixture('vite-basic')
  const { outDir, files, logs } = await withEnv(env, () => viteBuild(root, options(extra)))
  const bytes = Object.fromEntries(await Promise.all(files.map(async f => [f, createHash('sha256').update(await readFile(path.join(outDir, f))).digest('hex')])))
  return { root, files, bytes, logs, warnings: logs.filter(l => l.startsWith('warn')) }
}

const objects = (kind: string) => [...s3.objects('team').keys()].filter(k => k.startsWith(`site/${kind}/`))
const summaryOf = (logs: string[]) => logs.find(l => l.includes(' generated (~$'))!

describe('a remote cache shared by runners', () => {
  it('the first runner pays and encodes, the second makes 0 calls and 0 encodes and emits identical files', async () => {
    const first = await runner(paying())
    expect(segmind.generations()).toHaveLength(2)
    expect(summaryOf(first.logs)).toContain('2 generated')
    expect(first.logs.join('\n')).toMatch(/remote cache s3:\/\/team\/site: 0 picture\(s\) found \(0 downloaded\), 0 variant set\(s\) read, 6 object\(s\)/)
    // Two originals (hero, card): each picture's blob and meta.json, and one pack of its 2 widths × 3 formats.
    expect([objects('originals').length, objects('variants').length, objects('blobs').length]).toEqual([2, 2, 2])
    // Billed = stored: each paid picture is in the bucket once, under the hash of its bytes.
    expect(segmind.billedSha256().map(h => s3.objects('team').has(`site/blobs/${h}`))).toEqual([true, true])

    const asked = s3.state.requests.length
    const second = await runner(frozen())
    expect(segmind.generations()).toHaveLength(2)
    expect(summaryOf(second.logs)).toContain('0 generated (~$0.00), 2 reused, 0 placeholder(s); 0 variants made, 12 reused')
    // One request per picture: each pack carries its spec's meta.json, so none is asked for.
    expect(s3.state.requests.slice(asked).map(r => `${r.method} ${r.path.split('/')[3]}`)).toEqual(['GET variants', 'GET variants'])
    // Its variants are all in the bucket, so the originals (MBs each) are never downloaded.
    expect(second.logs.join('\n')).toContain('remote cache s3://team/site: 2 picture(s) found (0 downloaded), 2 variant set(s) read, 0 object(s)')
    expect(second.warnings).toEqual([])
    expect(second.bytes).toEqual(first.bytes)
    expect(await listFiles(path.join(second.root, '.seedream')).catch(() => [])).toEqual([])
    // The sets it read are copied to its variants cache beside the build, whole before the build ends.
    const copied = await listFiles(path.join(second.root, 'node_modules/.cache/unplugin-seedream'))
    expect([copied.length, copied.filter(f => f.endsWith('/manifest.json')).length]).toEqual([14, 2])
    // The budget counts a picture in the bucket as free: a runner with the key and a budget of 0 builds.
    const budgeted = await withEnv(paying(), async () => viteBuild(await copyFixture('vite-basic'), { ...options(), budget: { maxImages: 0 } }))
    expect(summaryOf(budgeted.logs)).toContain('0 generated')
    expect(segmind.generations()).toHaveLength(2)
    // Every request of both runners was signed, and none was refused.
    expect(s3.state.requests.filter(r => r.status === 403)).toEqual([])
  })

  it('reports a tampered object, never ships it, and falls back to the local work or the usual error', async () => {
    await runner(paying())
    s3.tamper('team', objects('variants')[0]!)
    const second = await runner(frozen())
    expect(second.warnings.join('\n')).toMatch(/variants\/[0-9a-f]{64}\.pack has a file that does not match its sha256: ignored, never used; it is deleted, for the next upload to replace it/)
    // That one set is encoded again here, from the original (downloaded, verified and kept); the other comes from the bucket.
    expect(summaryOf(second.logs)).toContain('6 variants made, 6 reused')
    expect(second.logs.join('\n')).toContain('2 picture(s) found (1 downloaded), 1 variant set(s) read')
    expect((await listFiles(path.join(second.root, '.seedream'))).filter(f => f.endsWith('meta.json'))).toHaveLength(1)

    // A tampered original that a runner needs (every variant set is tampered now): a frozen runner
    // stops with the usual error naming the spec; nothing is paid.
    // The bad pack was deleted and uploaded again whole by the runner that encoded it.
    expect(objects('variants')).toHaveLength(2)
    objects('variants').forEach(k => s3.tamper('team', k))
    const [heroMeta] = objects('originals').map(k => JSON.parse(s3.objects('team').get(k)!.body.toString())).filter(m => m.name === 'hero')
    s3.tamper('team', `site/blobs/${heroMeta.images[0].sha256}`)
    const root = await copyFixture('vite-basic')
    const failed = await withEnv(frozen(), () => viteBuild(root, options())).then(() => 'built', (e: Error) => e.message)
    expect(failed).toContain('Frozen mode')
    expect(failed).toContain('"hero"')
    expect(segmind.generations()).toHaveLength(2)
    // A runner with the key does without the bad picture: it pays for hero once, and its upload
    // replaces what the frozen runner deleted, so the next runner is whole again.
    const paid = await runner(paying())
    expect(segmind.generations()).toHaveLength(3)
    expect(summaryOf(paid.logs)).toContain('1 generated')
    const healed = await runner(frozen())
    expect(healed.warnings).toEqual([])
    expect(summaryOf(healed.logs)).toContain('0 variants made, 12 reused')
    expect(segmind.generations()).toHaveLength(3)
  })

  it('a dead, failing or refusing remote costs one warning and the build goes on with the provider', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => { const { port } = probe.address() as any; probe.close(() => resolve(port)) })
    })
    const dead = await runner(paying(), { endpoint: `http://127.0.0.1:${port}` })
    expect(dead.warnings.filter(w => w.includes('remote cache'))).toHaveLength(1)
    expect(dead.warnings[0]).toContain('does not answer')
    expect(segmind.generations()).toHaveLength(2)

    s3.fail(...Array.from({ length: 50 }, () => ({ status: 503, body: 'Slow Down' })))
    const failing = await runner(paying())
    expect(failing.warnings.filter(w => w.includes('remote cache'))).toHaveLength(1)
    expect(segmind.generations()).toHaveLength(4)
    // Slow past the timeout (after one retry), or resetting every connection: the same one warning.
    s3.state.faults.length = 0
    s3.fail(...Array.from({ length: 50 }, () => ({ latencyMs: 2000 })))
    const slow = await runner(paying(), { timeout: 200 })
    expect(slow.warnings.filter(w => w.includes('remote cache'))).toEqual([expect.stringContaining('no complete answer within 200 ms')])
    s3.state.faults.length = 0
    s3.fail(...Array.from({ length: 50 }, () => ({ reset: true })))
    const reset = await runner(paying())
    expect(reset.warnings.filter(w => w.includes('remote cache'))).toHaveLength(1)
    expect(segmind.generations()).toHaveLength(8)
    s3.state.faults.length = 0
    // The wrong secret: S3 refuses the signature; one warning, nothing stored.
    const refused = await runner({ ...paying(), AWS_SECRET_ACCESS_KEY: `${SECRET}-wrong` })
    expect(refused.warnings.filter(w => w.includes('remote cache'))).toHaveLength(1)
    expect(refused.warnings.join('\n')).not.toContain(SECRET)
    expect(s3.objects('team').size).toBe(0)
    // Temporary credentials without their session token: refused the same way.
    const tokenless = await runner({ ...paying(), ...TEMPORARY, AWS_SESSION_TOKEN: '' })
    expect(tokenless.warnings.filter(w => w.includes('remote cache'))).toEqual([expect.stringContaining('InvalidToken')])
    expect(s3.objects('team').size).toBe(0)
  })

  it('signs with temporary credentials: the session token is sent and signed, never printed', async () => {
    const first = await runner({ ...paying(), ...TEMPORARY })
    expect(first.warnings).toEqual([])
    expect(objects('originals')).toHaveLength(2)
    const second = await runner({ ...frozen(), ...TEMPORARY })
    expect(summaryOf(second.logs)).toContain('0 generated (~$0.00), 2 reused, 0 placeholder(s); 0 variants made, 12 reused')
    expect(s3.state.requests.filter(r => r.status !== undefined && r.status >= 400 && r.status !== 404)).toEqual([])
    expect([...first.logs, ...second.logs].join('\n')).not.toContain(TEMPORARY.AWS_SESSION_TOKEN)
  })

  it('read-only runners upload nothing; concurrent writers leave one consistent index per key', async () => {
    await runner(paying(), { write: false })
    expect(s3.objects('team').size).toBe(0)
    // Two runners at once: both pay (a remote cannot lock across machines), one index per key wins,
    // and each index's blobs are there; the loser's variant sets are keyed by its own pictures.
    await Promise.all([runner(paying()), runner(paying())])
    expect(segmind.generations()).toHaveLength(6)
    expect(objects('originals')).toHaveLength(2)
    for (const index of objects('originals')) {
      for (const ref of JSON.parse(s3.objects('team').get(index)!.body.toString()).images)
        expect(createHash('sha256').update(s3.objects('team').get(`site/blobs/${ref.sha256}`)!.body).digest('hex')).toBe(ref.sha256)
    }
    const third = await runner(frozen())
    expect(third.warnings).toEqual([])
    expect(summaryOf(third.logs)).toContain('0 variants made, 12 reused')
  })
})

const CLI = path.resolve(import.meta.dirname, '../dist/cli.js')

/** The built CLI in a child process with only this environment: the remote from SEEDREAM_REMOTE and AWS_ENDPOINT_URL_S3. */
async function seedream(root: string, args: string[], env: Record<string, string> = {}) {
  const base = { PATH: process.env.PATH!, SEEDREAM_REMOTE: 's3://team/site', AWS_ENDPOINT_URL_S3: s3.url, AWS_SHARED_CREDENTIALS_FILE: '/dev/null/none', AWS_CONFIG_FILE: '/dev/null/none', SEGMIND_API_URL: segmind.url }
  const child = spawn(process.execPath, [CLI, ...args, '--root', root], { env: { ...base, ...env } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => { stdout += d })
  child.stderr.on('data', (d) => { stderr += d })
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  return { code, stdout, stderr }
}

describe('the CLI and the remote cache', () => {
  it('status shows local / remote / missing, pull and generate --push sync on purpose, prune --remote cleans the bucket', async () => {
    // The widths go in the config file, which the CLI reads as the build does.
    const [a, b] = await Promise.all([copyFixture('vite-basic'), copyFixture('vite-basic')])
    for (const root of [a, b])
      await writeFile(path.join(root, 'seedream.config.mjs'), (await readFile(path.join(root, 'seedream.config.mjs'), 'utf8')).replace('export default {', 'export default {\n  widths: [64, 128],'))
    expect((await seedream(a, ['generate'], { ...aws, SEGMIND_API_KEY: TEST_KEY })).stdout).toContain('remote cache s3://team/site: 0 picture(s) found (0 downloaded), 0 variant set(s) read, 4 object(s)')
    expect(segmind.generations()).toHaveLength(2)

    // Runner b signs with a profile of its own credentials file, not the variables.
    const credentials = path.join(b, 'aws-credentials')
    await writeFile(credentials, `[default]\naws_access_key_id = nobody\n\n[team.ci]\naws_access_key_id = ${ACCESS}\naws_secret_access_key = ${SECRET}\n`)
    const profile = { AWS_PROFILE: 'team.ci', AWS_SHARED_CREDENTIALS_FILE: credentials, CI: 'true' }
    const status = await seedream(b, ['status', '--check'], profile)
    expect(status.stdout).toMatch(/remote\s+hero \(seedream\.config\.mjs\)\s+\[remote\]/)
    expect(status.stdout).toContain('to fill: 0 image(s)')
    expect(status.code).toBe(0)

    await withEnv(paying(), () => viteBuild(a, { remote: remote() }))
    const pulled = await seedream(b, ['pull'], profile)
    expect(pulled.stdout).toContain('Pulled 2 picture(s) and 2 variant set(s) from s3://team/site.')
    expect((await seedream(b, ['status'], profile)).stdout).toMatch(/cached\s+hero \(seedream\.config\.mjs\)\s+\[local, remote\]/)
    const built = await withEnv(frozen(), () => viteBuild(b, { remote: remote() }))
    expect(built.logs.join('\n')).toContain('0 variants made, 12 reused')

    // A day later the hero's prompt changes: its old picture and variants are no longer used.
    s3.age('team', 2 * 24 * 3600_000)
    const config = path.join(b, 'seedream.config.mjs')
    await writeFile(config, (await readFile(config, 'utf8')).replace('Misty mountain lake at dawn', 'Misty mountain lake at dusk'))
    const dry = await seedream(b, ['prune', '--remote'], profile)
    expect(dry.stdout).toContain('Unused: 3 object(s)')
    expect(s3.objects('team').size).toBe(6)
    expect((await seedream(b, ['prune', '--remote', '--yes'], profile)).stdout).toContain('Removed 3 object(s)')
    expect([objects('originals').length, objects('variants').length, objects('blobs').length]).toEqual([1, 1, 1])

    // Runner a still has the hero: --push puts back what the bucket lacks, and nothing twice.
    const pushed = await seedream(a, ['generate', '--push'], { ...aws, SEGMIND_API_KEY: TEST_KEY })
    expect(pushed.stdout).toContain('Pushed 1 picture(s) and 1 variant set(s) to s3://team/site.')
    expect(s3.objects('team').size).toBe(6)
    expect(segmind.generations()).toHaveLength(2)
    expect(`${pushed.stdout}${pushed.stderr}${status.stdout}${status.stderr}`).not.toContain(SECRET)
  })
})

describe('credentials and bucket URLs', () => {
  const remoteOf = (extra: object = {}) => resolveRemote({ url: 's3://team/site', ...extra }, {})!

  it('takes keys from the variables, else from a profile; a profile named in the options wins; ~ and commented sections are read', async () => {
    const dir = await copyFixture('vite-one')
    const file = path.join(dir, 'credentials')
    await writeFile(file, '[default] ; the fallback\naws_access_key_id = DEFAULTKEY\naws_secret_access_key = default-secret\n[ci.main]\naws_access_key_id = CIKEY\naws_secret_access_key = ci-secret\n  s3 =\n    addressing_style = path\n')
    const vars = { AWS_ACCESS_KEY_ID: 'ENVKEY', AWS_SECRET_ACCESS_KEY: 'env-secret', AWS_SHARED_CREDENTIALS_FILE: file, AWS_CONFIG_FILE: NO_FILE }
    expect(findIdentity(remoteOf(), vars).credentials?.accessKeyId).toBe('ENVKEY')
    expect(findIdentity(remoteOf(), { ...vars, AWS_ACCESS_KEY_ID: '' }).credentials).toEqual({ accessKeyId: 'DEFAULTKEY', secretAccessKey: 'default-secret' })
    expect(findIdentity(remoteOf(), { ...vars, AWS_ACCESS_KEY_ID: '', AWS_PROFILE: 'ci.main' }).credentials?.accessKeyId).toBe('CIKEY')
    // Named in the options, as in the AWS SDKs, the profile wins over the key variables.
    expect(findIdentity(remoteOf({ profile: 'ci.main' }), vars).credentials?.accessKeyId).toBe('CIKEY')
    const none = findIdentity(remoteOf({ profile: 'nobody' }), vars)
    expect([none.credentials, none.source]).toEqual([undefined, 'neither AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY nor keys of profile "nobody"'])
    expect(findIdentity(remoteOf(), { AWS_SHARED_CREDENTIALS_FILE: '~/no/such/file', AWS_CONFIG_FILE: NO_FILE }).region).toBe('us-east-1')
  })

  it('refuses a prefix that would leave itself, in the options and in SEEDREAM_REMOTE', () => {
    for (const url of ['s3://team/../other', 's3://team/a/./b', 's3://team/a\u0001b', 's3://t', 'https://team/site'])
      expect(optionIssues({ remote: url }).map(i => i.field)).toEqual(['remote'])
    expect(optionIssues({ remote: { url: 's3://team.pictures/site/2026' } })).toEqual([])
    expect(() => resolveRemote(undefined, { SEEDREAM_REMOTE: 's3://team/../x' })).toThrow(/SEEDREAM_REMOTE: must be a bucket URL/)
    expect(resolveRemote(undefined, { SEEDREAM_REMOTE: 's3://team/site/', SEEDREAM_REMOTE_WRITE: 'false' })).toMatchObject({ bucket: 'team', prefix: 'site/', write: false, read: true })
    expect(resolveRemote(false, { SEEDREAM_REMOTE: 's3://team/site' })).toBeUndefined()
  })
})
