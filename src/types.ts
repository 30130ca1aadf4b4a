// Types only, without a bundler's: what client.d.ts gives every `?seedream` import.
export type * from './model/types'
