import type { ResolvedRemote } from '../../model/options'
import { readFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** A signing identity: the secret and the session token never leave this process but in signatures. */
export interface Credentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

export interface Identity {
  credentials?: Credentials
  region: string
  /** Where the keys came from, for messages: never the keys themselves. */
  source: string
}

/**
 * The sections of an AWS shared config or credentials file. The `ini` package splits section names
 * on dots (`[profile ci.main]` would nest), which these files do not, so the few lines are read here.
 */
function sections(file: string): Map<string, Record<string, string>> {
  const found = new Map<string, Record<string, string>>()
  let text = ''
  try { text = readFileSync(file, 'utf8') } catch { return found }
  let current: Record<string, string> | undefined
  for (const line of text.split(/\r?\n/)) {
    const section = /^\s*\[\s*([^\]]+?)\s*\]/.exec(line)
    if (section) {
      current = {}
      found.set(section[1]!, current)
      continue
    }
    // Indented lines belong to a nested block (`s3 =` then `  addressing_style = path`): not keys of the profile.
    const pair = /^([\w-]+)\s*=\s*(.*?)\s*$/.exec(line)
    if (current && pair)
      current[pair[1]!.toLowerCase()] = pair[2]!
  }
  return found
}

/**
 * The standard AWS chain, as far as a build needs it: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY
 * (with AWS_SESSION_TOKEN) unless the options name a profile, else the profile's keys in ~/.aws/credentials or ~/.aws/config
 * (AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE). CI logins (GitHub's OIDC action, `aws sso`
 * exports) set the variables.
 */
export function findIdentity(remote: ResolvedRemote, env: NodeJS.ProcessEnv = process.env): Identity {
  const home = os.homedir()
  const name = remote.profile ?? env.AWS_PROFILE ?? 'default'
  const expand = (file: string) => file.replace(/^~(?=$|[/\\])/, home)
  const credentialsFile = expand(env.AWS_SHARED_CREDENTIALS_FILE || path.join(home, '.aws', 'credentials'))
  const configFile = expand(env.AWS_CONFIG_FILE || path.join(home, '.aws', 'config'))
  const config = sections(configFile).get(name === 'default' ? 'default' : `profile ${name}`) ?? {}
  const profile = { ...config, ...sections(credentialsFile).get(name) }
  const region = remote.region || profile.region || 'us-east-1'
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY && !remote.profile)
    return { region, source: 'AWS_ACCESS_KEY_ID', credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, sessionToken: env.AWS_SESSION_TOKEN || undefined } }
  if (profile.aws_access_key_id && profile.aws_secret_access_key)
    return { region, source: `profile "${name}"`, credentials: { accessKeyId: profile.aws_access_key_id, secretAccessKey: profile.aws_secret_access_key, sessionToken: profile.aws_session_token || undefined } }
  return { region, source: `neither AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY nor keys of profile "${name}"` }
}
