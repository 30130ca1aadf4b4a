import { readFileSync } from 'node:fs'
import path from 'node:path'

const ROOT = path.resolve(import.meta.dirname, '..')

/**
 * The bundler versions the tests run, per peer dependency: the package names installed (the
 * oldest claimed under an npm alias, e.g. `"vite-6": "npm:vite@6.0.0"`), oldest first. The
 * peer ranges in package.json are checked against this list by test/peer-ranges.test.ts.
 *
 * - vite: each one builds and serves in test/vite-versions.test.ts.
 * - the others: the oldest build in test/bundler-versions.test.ts, the newest in
 *   test/bundlers.test.ts (and test/bundler-versions.test.ts too).
 */
export const TESTED: Record<string, string[]> = {
  'vite': ['vite-6', 'vite-7', 'vite'],
  'webpack': ['webpack-oldest', 'webpack'],
  'rollup': ['rollup-oldest', 'rollup'],
  'esbuild': ['esbuild-oldest', 'esbuild'],
  '@rspack/core': ['rspack-oldest', '@rspack/core'],
}

/** The version of an installed package (or npm alias), from its package.json. */
export function installedVersion(name: string): string {
  return JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')).version
}

export function ownPackage(): { peerDependencies?: Record<string, string>, peerDependenciesMeta?: Record<string, { optional?: boolean }>, devDependencies: Record<string, string> } {
  return JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'))
}
