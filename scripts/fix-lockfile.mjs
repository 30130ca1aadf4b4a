// npm leaves an optional dependency out of package-lock.json when the registry it installs from
// has no copy of it (as with the other platforms' native builds of rollup or rspack on a mirror),
// and `npm ci` then refuses the lock as out of sync. This adds each such package back as a stub
// limited to its platform: skipped on every other machine, fetched by version on its own.
// Run after any change of dependencies: `npm install && node scripts/fix-lockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs'

const file = new URL('../package-lock.json', import.meta.url)
const lock = JSON.parse(readFileSync(file, 'utf8'))
const packages = lock.packages
const OS = ['android', 'darwin', 'freebsd', 'linux', 'openbsd', 'openharmony', 'netbsd', 'sunos', 'aix', 'win32']
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 'riscv64', 's390x', 'loong64', 'mips64el']

/** Where Node would find `name` from the package at `from`: its own node_modules, then each parent's. */
function found(from, name) {
  for (let dir = from; ; dir = dir.slice(0, Math.max(dir.lastIndexOf('/node_modules/'), 0))) {
    if (packages[`${dir ? `${dir}/` : ''}node_modules/${name}`])
      return true
    if (!dir)
      return false
  }
}

let added = 0
for (const [at, pkg] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    if (found(at, name))
      continue
    const base = name.split('/').pop()
    const stub = { version, dev: pkg.dev, optional: true }
    const os = OS.find(o => base.includes(`-${o}`))
    const cpu = CPU.find(c => base.includes(`-${c}`))
    if (os)
      stub.os = [os]
    if (cpu)
      stub.cpu = [cpu]
    if (base.endsWith('-musl') || base.endsWith('-gnu'))
      stub.libc = [base.endsWith('-musl') ? 'musl' : 'glibc']
    if (base.includes('wasm32'))
      stub.cpu = ['wasm32']
    packages[`node_modules/${name}`] = stub
    added++
  }
}
writeFileSync(file, `${JSON.stringify(lock, null, 2)}\n`)
console.log(`fix-lockfile: added ${added} platform stub(s)`)
