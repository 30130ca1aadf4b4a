export { withSeedream } from './bundler/next'
export type { NextConfigLike } from './bundler/next'
