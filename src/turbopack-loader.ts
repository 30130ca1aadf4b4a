/** Turbopack's loader for `?seedream` modules, loaded through loaders/turbopack.cjs (see withSeedream). */
export { default } from './bundler/turbopack-loader'
