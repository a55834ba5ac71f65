// The shared AWS config and credentials files, through the SDK's own loader: the profile used, and its credentials.
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Keys that make a profile a source of credentials (static keys, SSO, roles, processes, web identity, console login). */
const CREDENTIAL_KEYS = [
  'aws_access_key_id',
  'sso_session',
  'sso_start_url',
  'sso_account_id',
  'role_arn',
  'credential_process',
  'credential_source',
  'web_identity_token_file',
  'login_session',
];

/** --profile, else AWS_PROFILE: the profile the SDK's credential chain reads; undefined means its default one. */
export function chosenProfile(flag: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return flag || env.AWS_PROFILE || undefined;
}

/**
 * The two files as the SDK finds them ($AWS_SHARED_CREDENTIALS_FILE and $AWS_CONFIG_FILE, else ~/.aws/...), from the
 * environment given (the SDK's own defaults read process.env).
 */
function sharedFiles(env: NodeJS.ProcessEnv): { filepath: string; configFilepath: string } {
  const home = env.HOME || env.USERPROFILE || homedir();
  return {
    filepath: env.AWS_SHARED_CREDENTIALS_FILE || join(home, '.aws', 'credentials'),
    configFilepath: env.AWS_CONFIG_FILE || join(home, '.aws', 'config'),
  };
}

/**
 * True when `profile` (the config file's `[profile name]`, or `[default]`; the credentials file's `[name]`) holds a
 * key that yields credentials. Missing or unreadable files hold nothing. The SDK's loader is imported here, lazily,
 * so the command line never pays for it.
 */
export async function profileHoldsCredentials(profile: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const { loadSharedConfigFiles } = await import('@smithy/core/config');
  // Read afresh: the loader caches each file for the process, and a test (or a long-lived caller) may rewrite one.
  const { configFile, credentialsFile } = await loadSharedConfigFiles({ ...sharedFiles(env), ignoreCache: true });
  return [credentialsFile[profile], configFile[profile]].some(
    (section) => section !== undefined && CREDENTIAL_KEYS.some((key) => section[key] !== undefined),
  );
}
