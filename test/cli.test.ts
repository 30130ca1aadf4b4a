import type { SegmindServer } from './servers/segmind'
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { copyFixture, FIXTURES, listFiles, TEST_KEY, useServerAndFixture } from './helpers'
import { startSegmindServer } from './servers/segmind'

const CLI = path.resolve(import.meta.dirname, '../dist/cli.js')

let server: SegmindServer
let root: string
useServerAndFixture('vite-basic', (s, r) => { server = s; root = r })

interface Run { code: number | null, stdout: string, stderr: string }

/** The built CLI in a child process, with only the environment a test gives it. */
function seedream(args: string[], env: Record<string, string> = {}, onSpawn?: (pid: number) => void): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args, '--root', root], {
      env: { PATH: process.env.PATH!, SEGMIND_API_URL: server.url, SEGMIND_API_KEY: TEST_KEY, ...env },
    })
    onSpawn?.(child.pid!)
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    child.on('close', code => resolve({ code, stdout, stderr }))
  })
}

const entries = async () => (await listFiles(path.join(root, '.seedream'))).filter(f => f.endsWith('meta.json'))

describe('seedream CLI', () => {
  it('status lists what is missing with its cost, generate fills it, and status --check then passes', async () => {
    const before = await seedream(['status', '--check'])
    expect(before.code).toBe(1)
    expect(before.stdout).toMatch(/missing\s+hero \(seedream\.config\.mjs\)\s+~\$0\.04/)
    expect(before.stdout).toMatch(/missing\s+card \(src\/card\.seedream\.json\)/)
    expect(before.stdout).toContain('to fill: 2 image(s), about $0.08')
    // The balance is asked for (free); nothing is generated.
    expect(before.stdout).toMatch(/Balance \(segmind\): 10 credits \+ 0\.018 free/)
    expect(server.state.requests.map(r => `${r.method} ${r.path}`)).toEqual(['GET /v1/get-user-credits'])

    const filled = await seedream(['generate'])
    expect(filled.code).toBe(0)
    expect(filled.stdout).toContain('2 generated, 0 already cached, 0 failed')
    expect(filled.stderr).toMatch(/generating "hero".*\n[\s\S]*generated "hero" \(\d+(\.\d+)? credits left\) in \d+\.\d s/)
    expect(server.generations()).toHaveLength(2)
    expect(await entries()).toHaveLength(2)

    const after = await seedream(['status', '--check', '--json'])
    expect(after.code).toBe(0)
    expect(JSON.parse(after.stdout).specs.map((s: any) => s.state)).toEqual(['cached', 'cached'])
    expect((await seedream(['generate'])).stdout).toContain('0 generated, 2 already cached')
    expect(server.generations()).toHaveLength(2)
  })

  it('status --check fails on offline placeholders unless allowed, and generate says why it made nothing', async () => {
    const config = path.join(root, 'seedream.config.mjs')
    const original = await readFile(config, 'utf8')
    await writeFile(config, original.replace('export default {', 'export default {\n  provider: \'placeholder\','))
    const status = await seedream(['status', '--check'])
    expect(status.code).toBe(1)
    expect(status.stdout).toMatch(/offline\s+hero \(seedream\.config\.mjs\)/)
    expect(status.stdout).toContain('2 spec(s), 2 offline placeholder(s); to fill: 0 image(s)')
    expect(status.stdout).toContain('Placeholders ship as marked stand-ins: set a provider and its key for hero (seedream.config.mjs), card (src/card.seedream.json), or `allowPlaceholders: true` to ship them on purpose (--check fails until then).')
    const generate = await seedream(['generate'])
    expect(generate.code).toBe(0)
    expect(generate.stdout).toContain('0 generated, 0 already cached, 2 offline placeholder(s), 0 failed')
    expect(generate.stdout).toContain('Nothing is generated for hero (seedream.config.mjs), card (src/card.seedream.json): the placeholder provider draws stand-ins at build time and never calls an API.')
    await writeFile(config, original.replace('export default {', 'export default {\n  provider: \'placeholder\', allowPlaceholders: true,'))
    expect((await seedream(['status', '--check'])).code).toBe(0)
    expect(server.generations()).toHaveLength(0)
  })

  it('finds ?seedream imports in sources and names the file of a bad one', async () => {
    await writeFile(path.join(root, 'src/extra.ts'), 'import x from \'nope?seedream\'\nexport default x\n')
    const run = await seedream(['status'])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('src/extra.ts imports \'nope?seedream\': No spec named "nope"')
  })

  it('marks an edited spec stale, and prune lists the old entry, deleting it only with --yes', async () => {
    await seedream(['generate'])
    const cardFile = path.join(root, 'src/card.seedream.json')
    await writeFile(cardFile, (await readFile(cardFile, 'utf8')).replace('red fox', 'snow owl'))
    expect((await seedream(['status'])).stdout).toMatch(/stale\s+card/)
    await mkdir(path.join(root, '.seedream/.tmp-0123456789abcdef-x'), { recursive: true })

    const listed = await seedream(['prune', '--json'])
    const { unused, removed } = JSON.parse(listed.stdout)
    expect(unused).toHaveLength(2)
    expect(removed).toEqual([])
    expect(await entries()).toHaveLength(2)

    const pruned = await seedream(['prune', '--yes'])
    expect(pruned.stdout).toMatch(/Removed 2 folder\(s\), \d+\.\d MiB freed\./)
    expect(await entries()).toHaveLength(1)
    expect((await seedream(['status'])).stdout).toMatch(/missing\s+card/)
  })

  it('--frozen and SEEDREAM_FROZEN make no call and list the missing specs with the fill command', async () => {
    for (const run of [await seedream(['generate', '--frozen']), await seedream(['generate'], { SEEDREAM_FROZEN: '1' }), await seedream(['generate'], { CI: 'true', SEGMIND_API_KEY: '' })]) {
      expect(run.code).toBe(1)
      expect(run.stderr).toContain('Frozen mode: no image is generated, and 2 spec(s) have no image in the cache')
      expect(run.stderr).toContain('"hero" (seedream.config.mjs)')
      expect(run.stderr).toContain('"card" (src/card.seedream.json)')
      expect(run.stderr).toContain('npx seedream generate')
    }
    expect(server.state.requests).toHaveLength(0)
    // CI with a key is not frozen.
    expect((await seedream(['generate'], { CI: 'true' })).code).toBe(0)
  })
})

describe('seedream CLI, told something it does not know', () => {
  const bare = (args: string[]) => new Promise<Run>((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH! } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => { stdout += d })
    child.stderr.on('data', (d) => { stderr += d })
    child.on('close', code => resolve({ code, stdout, stderr }))
  })

  it.each([
    [['stauts'], 'seedream: unknown command "stauts". Did you mean "status"? Commands: generate, status, prune, pick, reroll, review, pull.'],
    [['status', '--chek'], 'seedream: Unknown option `--chek`. Did you mean "--check"? Run `seedream status --help` for the options.'],
    [['status', '--root', '/nonexistent'], 'seedream: The root /nonexistent does not exist (--root).'],
  ])('%j: one line, the nearest name, exit 1', async (args, line) => {
    const run = await bare(args)
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(`${line}\n`)
    expect(run.stdout).toBe('')
  })

  it('refuses a root with no config and no spec files instead of reporting 0 specs', async () => {
    const empty = await mkdtemp(path.join(os.tmpdir(), 'seedream-empty-'))
    const run = await bare(['status', '--check', '--root', empty])
    expect(run.code).toBe(1)
    expect(run.stderr).toBe(`seedream: No seedream config and no spec files in ${empty}: nothing to do. Declare images in seedream.config.ts (or .mjs, .json), or in *.seedream.json files, or pass --root the project's folder.\n`)
  })
})

describe('seedream CLI, with specs the build gets from the bundler config', () => {
  const VITE_PLUGIN = path.resolve(import.meta.dirname, '../dist/vite.js')
  const withBanner = async (config: string) => {
    await writeFile(path.join(root, 'vite.config.mjs'), config)
    // Imported only from an inline script of the page.
    const html = path.join(root, 'index.html')
    await writeFile(html, (await readFile(html, 'utf8')).replace('</body>', '<script type="module">import banner from \'banner?seedream\'; document.title = banner.alt</script></body>'))
  }

  it('sees a spec passed as a plugin option, and prune keeps its paid entry', async () => {
    await withBanner(`import seedream from ${JSON.stringify(VITE_PLUGIN)}\nexport default ({ mode }) => ({ plugins: [seedream({ images: { banner: { prompt: 'A banner of ' + mode, size: '1K' } } })] })\n`)
    const generate = await seedream(['generate'])
    expect(generate.code).toBe(0)
    expect(generate.stderr).toContain('vite.config.mjs passes 1 spec(s) to the plugin: banner')
    expect(generate.stdout).toContain('3 generated, 0 already cached')
    expect(server.generations().map(g => g.body.prompt)).toContain('A banner of production')
    const prune = await seedream(['prune', '--yes'])
    expect(prune.stdout).toBe('Nothing to prune.\n')
    expect(await entries()).toHaveLength(3)
    const status = await seedream(['status', '--check'])
    expect(status.code).toBe(0)
    expect(status.stdout).toMatch(/cached\s+banner /)
  })

  it('refuses to prune when it cannot read the bundler config, and status goes on with a warning', async () => {
    await withBanner('throw new Error(\'this config needs a variable CI does not set\')\n')
    const prune = await seedream(['prune', '--yes'])
    expect(prune.code).toBe(1)
    expect(prune.stderr).toBe('seedream: Could not read the plugin options in vite.config.mjs: this config needs a variable CI does not set. prune deletes nothing it cannot account for: fix the config, or pass --bundler-config to the file that has the plugin.\n')
    const status = await seedream(['status'])
    expect(status.stderr).toContain('warning: Could not read the plugin options in vite.config.mjs: this config needs a variable CI does not set; specs passed as plugin options there are not seen.')
    // The page still imports banner, which nothing declares now: named, not counted as unused.
    expect(status.code).toBe(1)
    expect(status.stderr).toContain('index.html imports \'banner?seedream\': No spec named "banner"')
  })
})

describe('seedream CLI progress', () => {
  /** A command under `script`, which gives it a pseudo-terminal: what a person at a terminal sees. */
  function inTerminal(dir: string, url: string, args = [CLI, 'generate', '--root', dir]): Promise<string> {
    return new Promise((resolve, reject) => {
      const command = [process.execPath, ...args].map(a => `'${a}'`).join(' ')
      const child = spawn('script', ['-qfec', `stty cols 120 rows 40; ${command}`, '/dev/null'], { env: { PATH: process.env.PATH!, TERM: 'xterm', SEGMIND_API_URL: url, SEGMIND_API_KEY: TEST_KEY } })
      let out = ''
      child.stdout.on('data', (d) => { out += d })
      child.on('close', code => code === 0 ? resolve(out) : reject(new Error(out)))
    })
  }

  it('redraws one live block in a terminal (done/total, elapsed, ETA, each generation), and prints plain lines when piped', async () => {
    const slow = await startSegmindServer({ keys: [TEST_KEY], latencyMs: 600 })
    try {
      const dir = await copyFixture('vite-basic')
      const out = await inTerminal(dir, slow.url)
      expect(out).toMatch(/\[seedream\] generating: 0\/2 done · \d+ s elapsed · about \d+ s left/)
      expect(out).toMatch(/ {2}generating "hero" with segmind seedream-4\.5 · \d+ s/)
      // Redrawn in place: log-update erases its previous lines (ESC [2K) before drawing again.
      expect(out).toContain('\u001B[2K')
      expect(out).toMatch(/generated "hero" \([^)]*\) in \d+\.\d s/)
      // A build shows the encoding of variants in the same block (the function API, no bundler).
      const built = await inTerminal(dir, slow.url, [path.join(FIXTURES, 'api-script/build.mjs'), dir])
      expect(built).toMatch(/\[seedream\] encoding variants: \d+ picture\(s\) done · now hero/)
      const piped = await copyFixture('vite-basic')
      const plain = await new Promise<string>((resolve) => {
        const child = spawn(process.execPath, [CLI, 'generate', '--root', piped], { env: { PATH: process.env.PATH!, SEGMIND_API_URL: slow.url, SEGMIND_API_KEY: TEST_KEY } })
        let text = ''
        child.stderr.on('data', (d) => { text += d })
        child.on('close', () => resolve(text))
      })
      expect(plain).toMatch(/\[seedream\] generating "hero" with segmind seedream-4\.5…\n/)
      expect(plain).not.toContain('\u001B[')
      expect(plain).not.toMatch(/elapsed · about/)
    }
    finally {
      await slow.close()
    }
  })
})
