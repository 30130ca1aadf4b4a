export { image } from './api/image'
export type { ImageOptions } from './api/image'
export type { Options } from './model/options'
export type * from './model/types'
