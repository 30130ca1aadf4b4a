import type { SegmindServer } from './servers/segmind'
import { spawn } from 'node:child_process'
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse as parseYaml } from 'yaml'
import { DEFAULTS } from '../src/model/defaults'
import { listFiles, TEST_KEY } from './helpers'
import { startS3Server } from './servers/s3'
import { startSegmindServer } from './servers/segmind'

const REPO = path.resolve(import.meta.dirname, '..')
const TSC = path.join(REPO, 'node_modules/typescript/bin/tsc')

/** Runs a command without blocking this process, so the loopback server keeps answering. */
function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SEGMIND_') && !k.startsWith('npm_') && k !== 'CI'))
    const child = spawn(cmd, args, { cwd, env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    child.stdout.on('data', (d) => { out += d })
    child.stderr.on('data', (d) => { out += d })
    child.on('close', code => code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`)))
  })
}

let server: SegmindServer
let app: string
beforeAll(async () => {
  server = await startSegmindServer({ keys: [TEST_KEY] })
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'seedream-pack-'))
  await run('npm', ['pack', '--pack-destination', tmp], REPO)
  const tarball = path.join(tmp, (await readdir(tmp)).find(f => f.endsWith('.tgz'))!)
  app = path.join(tmp, 'app')
  await cp(path.join(import.meta.dirname, 'app'), app, { recursive: true })
  // Installed as npm would lay it out, without asking a registry: the tarball unpacked into
  // node_modules, and only the dependencies it declares (plus vite and typescript) linked from
  // the repo's own install. A dependency it forgot to declare cannot be found.
  const pkg = path.join(app, 'node_modules/unplugin-seedream')
  await mkdir(pkg, { recursive: true })
  await run('tar', ['-xzf', tarball, '-C', pkg, '--strip-components=1'], app)
  const { dependencies } = JSON.parse(await readFile(path.join(pkg, 'package.json'), 'utf8'))
  for (const name of [...Object.keys(dependencies), 'vite', 'typescript']) {
    await mkdir(path.dirname(path.join(app, 'node_modules', name)), { recursive: true })
    await symlink(path.join(REPO, 'node_modules', name), path.join(app, 'node_modules', name), 'dir')
  }
}, 240_000)
afterAll(() => server.close())

describe('the npm pack tarball unpacked into a fresh app outside the repo', () => {
  it('builds with vite and a seedream.config.ts against the loopback server, and types imports and config', async () => {
    const out = await run(process.execPath, [path.join(app, 'node_modules/vite/bin/vite.js'), 'build'], app, { SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: server.url })
    expect(out).toContain('[seedream] generated "hero"')
    expect(server.generations()).toHaveLength(1)
    const files = await listFiles(path.join(app, 'dist'))
    expect(files.filter(f => /^assets\/hero-\d+\.[0-9a-f]{10}\.(avif|webp|jpg)$/.test(f))).toHaveLength(6)
    for (const file of files)
      expect((await readFile(path.join(app, 'dist', file))).includes(TEST_KEY)).toBe(false)
    await run(process.execPath, [TSC, '--noEmit', '-p', '.'], app)
    await run(process.execPath, [TSC, '--noEmit', '-p', 'tsconfig.config.json'], app)
  })

  it('fails type checking when a ?seedream import is misused, or names a spec that does not exist', async () => {
    // The build wrote the named specs' declarations.
    expect(await readFile(path.join(app, 'seedream-env.d.ts'), 'utf8')).toContain('declare module "hero?seedream" {')
    await writeFile(path.join(app, 'src/wrong.ts'), 'import hero from \'hero?seedream\'\nexport const n: number = hero.src\n')
    await expect(run(process.execPath, [TSC, '--noEmit', '-p', '.'], app)).rejects.toThrow(/Type 'string' is not assignable to type 'number'/)
    await writeFile(path.join(app, 'src/wrong.ts'), 'import hero from \'heor?seedream\'\nexport const s: string = hero.src\n')
    await expect(run(process.execPath, [TSC, '--noEmit', '-p', '.'], app)).rejects.toThrow(/Cannot find module 'heor\?seedream'/)
    await rm(path.join(app, 'src/wrong.ts'))
  })
})

describe('the GitHub Actions workflow in docs/, run as CI would', () => {
  it('runs its commands in the app: the gate passes with the pictures committed, the build is frozen and pays nothing; a missing picture fails the gate', async () => {
    const workflow = parseYaml(await readFile(path.join(REPO, 'docs/github-actions.yml'), 'utf8'))
    const steps: Array<{ run?: string, uses?: string, with?: Record<string, string> }> = workflow.jobs.build.steps
    const runs = steps.flatMap(s => s.run ? [s.run] : [])
    // npm ci installed this app already (from the tarball, above); the cache step keeps the variants folder.
    expect(runs[0]).toBe('npm ci')
    expect(steps.find(s => s.uses?.startsWith('actions/cache@'))!.with!.path).toBe(DEFAULTS.variantsCacheDir)
    const bin = path.join(app, 'node_modules/.bin')
    await mkdir(bin, { recursive: true })
    await symlink('../unplugin-seedream/dist/cli.js', path.join(bin, 'seedream')).catch(() => {})
    await symlink('../vite/bin/vite.js', path.join(bin, 'vite')).catch(() => {})
    await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'fresh-app', private: true, type: 'module', scripts: { build: 'vite build' } }))
    const ci = { CI: 'true', PATH: `${bin}:${process.env.PATH}` }
    const paid = server.generations().length
    // A fresh checkout has no generated types: the gate writes them, for a type check before the build.
    await rm(path.join(app, 'seedream-env.d.ts'))
    await run('sh', ['-c', runs[1]!], app, ci)
    expect(await readFile(path.join(app, 'seedream-env.d.ts'), 'utf8')).toContain('declare module "hero?seedream"')
    for (const command of runs.slice(1))
      await run('sh', ['-c', command], app, ci)
    expect(server.generations()).toHaveLength(paid)
    // A spec nobody generated: the gate names it and fails.
    const config = path.join(app, 'seedream.config.ts')
    const original = await readFile(config, 'utf8')
    await writeFile(config, original.replace('images: {', 'images: {\n    newcomer: { prompt: \'A new picture\' },'))
    try {
      await expect(run('sh', ['-c', runs[1]!], app, ci)).rejects.toThrow(/missing\s+newcomer/)
    }
    finally {
      await writeFile(config, original)
    }
  })
})

describe('the remote-cache workflow in docs/, run as CI would on main and then on a pull request', () => {
  it('main shares the committed pictures and the variants it encoded; a pull request\'s fresh checkout without .seedream/ then builds from the bucket with 0 calls and 0 encodes', async () => {
    const workflow = parseYaml(await readFile(path.join(REPO, 'docs/github-actions-remote.yml'), 'utf8'))
    const job = workflow.jobs.build
    const bucket = /^s3:\/\/([^/]+)/.exec(job.env.SEEDREAM_REMOTE)![1]!
    const s3 = await startS3Server({ keys: { AKIAWORKFLOW00000001: 'workflow-secret' }, buckets: [bucket], region: 'auto' })
    const expressions: Record<string, string> = { 'vars.SEEDREAM_S3_ENDPOINT': s3.url, 'vars.SEEDREAM_S3_REGION': 'auto', 'secrets.SEEDREAM_S3_KEY_ID': 'AKIAWORKFLOW00000001', 'secrets.SEEDREAM_S3_SECRET': 'workflow-secret' }
    /** The job's env and the steps that run for an event, with GitHub's expressions evaluated as GitHub would for it. */
    const jobFor = (onMain: boolean) => {
      const evaluate = (v: string) => String(v).replace(/\$\{\{\s*(.+?)\s*\}\}/g, (_, e: string) => e.startsWith('github.') ? String(onMain) : expressions[e]!)
      const env = Object.fromEntries(Object.entries(job.env as Record<string, string>).map(([k, v]) => [k, evaluate(v)]))
      const runs = (job.steps as Array<{ run?: string, if?: string }>).filter(s => s.run && s.run !== 'npm ci' && (!s.if || onMain)).map(s => s.run!)
      return { env: { ...env, CI: 'true', AWS_SHARED_CREDENTIALS_FILE: '/dev/null/none', AWS_CONFIG_FILE: '/dev/null/none' } as Record<string, string>, runs }
    }
    const checkout = async (name: string, withStore: boolean) => {
      const dir = `${app}-${name}`
      await cp(app, dir, { recursive: true, verbatimSymlinks: true, filter: f => !['dist', 'node_modules/.cache', ...withStore ? [] : ['.seedream']].includes(path.relative(app, f)) })
      return dir
    }
    try {
      const paid = server.generations().length
      const main = jobFor(true)
      const mainDir = await checkout('main', true)
      for (const command of main.runs)
        await run('sh', ['-c', command], mainDir, { ...main.env, PATH: `${path.join(mainDir, 'node_modules/.bin')}:${process.env.PATH}` })
      expect([...s3.objects(bucket).keys()].filter(k => k.startsWith('site/variants/'))).toHaveLength(1)
      const pr = jobFor(false)
      expect(pr.env.SEEDREAM_REMOTE_WRITE).toBe('false')
      const prDir = await checkout('pr', false)
      const before = s3.objects(bucket).size
      const outputs = []
      for (const command of pr.runs)
        outputs.push(await run('sh', ['-c', command], prDir, { ...pr.env, PATH: `${path.join(prDir, 'node_modules/.bin')}:${process.env.PATH}` }))
      expect(outputs.join('\n')).toMatch(/remote\s+hero .*\[remote\]/)
      expect(outputs.join('\n')).toContain('0 variants made, 6 reused')
      expect(s3.objects(bucket).size).toBe(before)
      expect(server.generations()).toHaveLength(paid)
    }
    finally {
      await s3.close()
    }
  })
})

describe('seedream.config.ts on whatever TypeScript the app has, or none', () => {
  const typescripts = [['5', 'typescript'], ['6', 'typescript-6'], ['7', 'typescript-7'], ['none', undefined]] as const

  it.each(typescripts)('loads it in the CLI and in vite build with TypeScript %s', async (version, pkg) => {
    const dir = `${app}-ts-${version}`
    await cp(app, dir, { recursive: true, verbatimSymlinks: true, filter: f => !['dist', '.seedream', 'seedream.config.ts', 'src/wrong.ts'].includes(path.relative(app, f)) })
    // Every package of the repo's install hoisted beside it, as npm lays out an app; then the
    // app's TypeScript, if any.
    for (const name of await readdir(path.join(REPO, 'node_modules'))) {
      if (!name.startsWith('.') && !name.startsWith('typescript') && name !== 'unplugin-seedream')
        await symlink(path.join(REPO, 'node_modules', name), path.join(dir, 'node_modules', name), 'dir').catch(() => {})
    }
    const link = path.join(dir, 'node_modules/typescript')
    await rm(link)
    if (pkg) {
      await symlink(path.join(REPO, 'node_modules', pkg), link, 'dir')
      expect(JSON.parse(await readFile(path.join(link, 'package.json'), 'utf8')).version).toMatch(new RegExp(`^${version}\\.`))
    }
    await writeFile(path.join(dir, 'seedream.config.ts'), `import type { Options } from 'unplugin-seedream'
enum Width { Small = 320, Large = 640 }
const widths: number[] = [Width.Small, Width.Large]
export default { images: { boat: { prompt: 'A paper boat', size: '1K' as const, alt: 'A boat' } }, widths } satisfies Options
`)
    await writeFile(path.join(dir, 'src/main.ts'), 'import boat from \'boat?seedream\'\nconsole.log(boat.src)\n')
    // Node resolves from where a package is linked, as in a real install: a loader that reached
    // for `typescript` would get this app's.
    const node = (args: string[]) => run(process.execPath, ['--preserve-symlinks', '--preserve-symlinks-main', ...args], dir, { SEGMIND_API_KEY: TEST_KEY, SEGMIND_API_URL: server.url })
    expect(await node(['node_modules/unplugin-seedream/dist/cli.js', 'status'])).toMatch(/boat/)
    expect(await node(['node_modules/vite/bin/vite.js', 'build'])).toContain('[seedream] generated "boat"')
    expect(await listFiles(path.join(dir, 'dist'))).toContainEqual(expect.stringMatching(/^assets\/boat-\d+\.[0-9a-f]{10}\.avif$/))
  })
})
