// P6: a fresh runner (no .seedream/, no variants cache) whose team's bucket is warm, against the
// warm local build of the same app, side by side; and the same runner without the remote (its
// committed .seedream/ restored, the variants encoded cold) for contrast.
import { execFileSync } from 'node:child_process'
import { cp, mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import { BENCH, bundled, child, WORK } from './lib.mjs'
import { alternate, log, median, RUNS } from './measure.mjs'

const ACCESS = 'AKIABENCHREMOTE00001'
const SECRET = 'bench/remote/secret/0123456789abcdef'
const LATENCY_MS = 20

/** The S3-protocol loopback server of the tests (SigV4 checked). */
async function s3Server() {
  const { startS3Server } = await bundled('test/servers/s3.ts')
  return startS3Server({ keys: { [ACCESS]: SECRET }, buckets: ['bench'], latencyMs: LATENCY_MS })
}

/** A checkout of the app as a fresh CI runner has it: sources and config, and `.seedream/` only if committed. */
async function freshRunner(app, dir, withStore) {
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  for (const f of ['index.html', 'seedream.config.json', 'src', ...withStore ? ['.seedream'] : []])
    await cp(path.join(app, f), path.join(dir, f), { recursive: true })
  // A runner's checkout is on disk long before its build starts: the copy's (and the last run's)
  // dirty pages are written back now, not during the build timed next (they cost it 50–100 ms).
  execFileSync('sync')
}

export async function p6(app, { record }) {
  const runs = Math.max(RUNS, 9)
  const s3 = await s3Server()
  const env = { AWS_ACCESS_KEY_ID: ACCESS, AWS_SECRET_ACCESS_KEY: SECRET, AWS_SHARED_CREDENTIALS_FILE: '/dev/null/none', AWS_CONFIG_FILE: '/dev/null/none', SEEDREAM_FROZEN: '1', SEGMIND_API_KEY: '' }
  const remote = JSON.stringify({ remote: { url: 's3://bench/app12', endpoint: s3.url } })
  // Warm the bucket from the app's store and variants cache, as `seedream generate --push` does on main.
  await child('child-build.mjs', [app, '{}'], env)
  const pushed = await new Promise((resolve, reject) => {
    import('node:child_process').then(({ execFile }) => execFile(process.execPath, [path.join(BENCH, '../dist/cli.js'), 'generate', '--push', '--root', app], { env: { ...process.env, ...env, SEEDREAM_REMOTE: 's3://bench/app12', AWS_ENDPOINT_URL_S3: s3.url } }, (error, stdout) => error ? reject(error) : resolve(stdout)))
  })
  log(`P6 bucket: ${pushed.trim().split('\n').pop()}; ${s3.objects('bench').size} objects`)
  const runner = path.join(WORK, 'runner12')
  // The same for the warm build: the fresh runner's build before it wrote 34 MB.
  const warmBuild = () => {
    execFileSync('sync')
    return child('child-build.mjs', [app, '{}'], env)
  }
  const [fresh, warm] = await alternate([async () => {
    await freshRunner(app, runner, false)
    return child('child-build.mjs', [runner, remote], env)
  }, () => warmBuild()], runs)
  // The other fresh runner of the issue: .seedream/ committed, the variants cache empty.
  const [committed, warmAgain] = await alternate([async () => {
    await freshRunner(app, runner, true)
    return child('child-build.mjs', [runner, remote], env)
  }, () => warmBuild()], runs)
  const contrast = []
  for (let i = 0; i < Math.min(runs, 3); i++) {
    await freshRunner(app, runner, true)
    contrast.push(await child('child-build.mjs', [runner, '{}'], env))
  }
  await s3.close()
  const ratio = median(fresh.map(r => r.ms)) / median(warm.map(r => r.ms))
  const committedRatio = median(committed.map(r => r.ms)) / median(warmAgain.map(r => r.ms))
  record('P6', `fresh runner (no .seedream/, no variants) with a warm remote (${LATENCY_MS} ms latency) vs the warm local build, 12 images`, ratio, '×', '≤ 1.30', ratio <= 1.3, {
    remoteMs: fresh.map(r => r.ms),
    warmLocalMs: warm.map(r => r.ms),
  }, `${median(fresh.map(r => r.ms)).toFixed(0)} ms vs ${median(warm.map(r => r.ms)).toFixed(0)} ms`)
  record('P6b', `fresh runner (.seedream/ committed, no variants) with a warm remote (${LATENCY_MS} ms latency) vs the warm local build`, committedRatio, '×', '≤ 1.30', committedRatio <= 1.3, {
    remoteMs: committed.map(r => r.ms),
    warmLocalMs: warmAgain.map(r => r.ms),
    withoutRemoteMs: contrast.map(r => r.ms),
    withoutRemoteRatio: Number((median(contrast.map(r => r.ms)) / median(warm.map(r => r.ms))).toFixed(2)),
  }, `${median(committed.map(r => r.ms)).toFixed(0)} ms vs ${median(warmAgain.map(r => r.ms)).toFixed(0)} ms; without the remote it encodes for ${(median(contrast.map(r => r.ms)) / 1000).toFixed(1)} s`)
}
