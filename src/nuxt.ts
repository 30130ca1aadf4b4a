export { seedreamNuxt as default } from './bundler/nuxt'
export type { NuxtLike } from './bundler/nuxt'
