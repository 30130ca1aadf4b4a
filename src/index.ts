import { createUnplugin } from 'unplugin'
import { unpluginFactory } from './bundler/factory'
import { notingOptions } from './project'

export { unpluginFactory } from './bundler/factory'
export { defineConfig } from './project'
export { HttpError, SeedreamError, SpecError } from './model/errors'
export type { Options } from './model/options'
export type * from './model/types'

export const unplugin = /* #__PURE__ */ notingOptions(createUnplugin(unpluginFactory))
export default unplugin
export { image } from './api/image'
export type { ImageOptions } from './api/image'
