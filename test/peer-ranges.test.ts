import semver from 'semver'
import { describe, expect, it } from 'vitest'
import { installedVersion, ownPackage, TESTED } from './peers'

// The peer ranges are claims: each must be one the version matrix runs. npm evaluates them with
// this same semver package, so what holds here is what a user's install sees.
const pkg = ownPackage()

describe('peer dependency ranges', () => {
  it('declares every bundler the plugin has an entry for, each optional', () => {
    expect(Object.keys(pkg.peerDependencies ?? {}).sort()).toEqual(Object.keys(TESTED).sort())
    for (const name of Object.keys(TESTED))
      expect(pkg.peerDependenciesMeta?.[name], name).toEqual({ optional: true })
  })

  describe.each(Object.entries(TESTED))('%s', (name, packages) => {
    const range = pkg.peerDependencies![name]!
    const versions = packages.map(installedVersion)

    it('starts at the oldest version tested', () => {
      expect(semver.validRange(range), range).toBeTruthy()
      expect(semver.minVersion(range)!.version).toBe(versions[0])
      expect(versions).toEqual([...versions].sort(semver.compare))
    })

    it('holds every version tested, and each of its majors (or 0.x minors) has one', () => {
      for (const version of versions)
        expect(semver.satisfies(version, range), `${version} in ${range}`).toBe(true)
      // Each `||` part of the range is one release line: some tested version must be in it.
      for (const part of new semver.Range(range).set) {
        const line = part.map(c => c.value).join(' ')
        expect(versions.some(v => semver.satisfies(v, line)), `a tested version in ${line}`).toBe(true)
      }
    })

    it('stops before the next breaking release after the newest tested', () => {
      const newest = versions.at(-1)!
      const next = semver.major(newest) === 0 ? semver.inc(newest, 'minor')! : semver.inc(newest, 'major')!
      expect(semver.satisfies(next, range), `${next} outside ${range}`).toBe(false)
    })

    it('is installed for the tests as declared in devDependencies', () => {
      for (const [i, alias] of packages.entries()) {
        const spec = pkg.devDependencies[alias]!
        const wanted = spec.startsWith('npm:') ? spec.slice(spec.lastIndexOf('@') + 1) : spec
        expect(semver.satisfies(versions[i]!, wanted), `${alias}@${versions[i]} matches ${spec}`).toBe(true)
      }
    })
  })
})
