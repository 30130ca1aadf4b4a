/**
 * What the drivers (bundler/, cli/, api/) may use of the project: opening one, loading modules,
 * writing files, reading its inventory. Everything else under project/ is its own business.
 */
export { assetNames, RUNTIME_CODE } from './code/module'
export { defineConfig, loadConfigSync } from './config'
export { findImports } from './discover'
export { finishBuild } from './finish-build'
export { REPAIR_COMMAND } from './generation/failures'
export { FILL_COMMAND } from './generation/guard'
export { createDevVariants } from './images/dev-variants'
export { loadDevModule, loadModule } from './modules'
export { createSharedWork, openProject } from './open-project'
export { writeImageFiles } from './files'
export { noteOnce, projectOnce } from './projects-once'
export { scrubbed } from './pictures'
export { specTypesOf, writeSpecTypes } from './spec-types'
export { notePluginOptions, notingOptions, pluginOptionsSeen } from './plugin-options'
export type { AssetNames, EmitAsset } from './code/module'
export type { Inventory, SpecStatus } from './inventory'
export type { Project } from './open-project'
export type { DevHost, Host, Logger } from './ports'
export type { CorruptEntry } from './store/store'
