export { seedream as default, seedream } from './bundler/astro'
export type { AstroIntegrationLike } from './bundler/astro'
