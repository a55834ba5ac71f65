// The profile lookup on temporary config and credentials files: which profile counts, and which keys make credentials.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { chosenProfile, profileHoldsCredentials } from '../../src/aws/profiles.js';

let directory = '';
let env: NodeJS.ProcessEnv = {};
before(async () => {
  directory = await mkdtemp(join(tmpdir(), 'lambda-async-demo-profiles-'));
  env = { AWS_CONFIG_FILE: join(directory, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(directory, 'credentials'), HOME: directory };
});
after(() => rm(directory, { recursive: true, force: true }));

async function files(config: string, credentials: string): Promise<void> {
  await writeFile(env.AWS_CONFIG_FILE!, config);
  await writeFile(env.AWS_SHARED_CREDENTIALS_FILE!, credentials);
}

test('--profile, else AWS_PROFILE, else the default chain', () => {
  assert.equal(chosenProfile('dev', { AWS_PROFILE: 'ops' }), 'dev');
  assert.equal(chosenProfile(undefined, { AWS_PROFILE: 'ops' }), 'ops');
  assert.equal(chosenProfile('', { AWS_PROFILE: '' }), undefined);
  assert.equal(chosenProfile(undefined, {}), undefined);
});

test('no files, or empty ones, hold no credentials', async () => {
  assert.equal(await profileHoldsCredentials('default', { AWS_CONFIG_FILE: join(directory, 'none'), AWS_SHARED_CREDENTIALS_FILE: join(directory, 'nothing') }), false);
  await files('', '');
  assert.equal(await profileHoldsCredentials('default', env), false);
});

test('the credentials file: [name] with keys', async () => {
  await files('', '[other]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = x\n\n[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = y\n');
  assert.equal(await profileHoldsCredentials('default', env), true);
  assert.equal(await profileHoldsCredentials('other', env), true);
  assert.equal(await profileHoldsCredentials('dev', env), false);
});

test('the config file: [profile name] and [default] count, a bare [name] does not (the SDK ignores it)', async () => {
  await files('[default]\nregion = eu-west-1\n\n[profile dev]\nsso_session = corp\nsso_account_id = 111111111111\n\n[ops]\nrole_arn = arn:aws:iam::1:role/x\n', '');
  assert.equal(await profileHoldsCredentials('default', env), false, 'a region is no credentials');
  assert.equal(await profileHoldsCredentials('dev', env), true);
  assert.equal(await profileHoldsCredentials('ops', env), false);
  await files('[profile default]\ncredential_process = /bin/creds\n', '');
  assert.equal(await profileHoldsCredentials('default', env), true);
});

test('every kind of credential key counts: roles, processes, web identity, SSO, console login', async () => {
  for (const key of ['role_arn', 'credential_process', 'credential_source', 'web_identity_token_file', 'sso_start_url', 'login_session']) {
    await files(`[profile p]\n${key} = something\n`, '');
    assert.equal(await profileHoldsCredentials('p', env), true, key);
  }
});

test('a file rewritten between two lookups is read again', async () => {
  await files('', '[default]\nregion = x\n');
  assert.equal(await profileHoldsCredentials('default', env), false);
  await files('', '[default]\naws_access_key_id = AKIDNOW\naws_secret_access_key = z\n');
  assert.equal(await profileHoldsCredentials('default', env), true);
});

test('~/ in AWS_CONFIG_FILE is the home directory, as the SDK reads it', async () => {
  await files('[profile home]\naws_access_key_id = AKIDHOME\n', '');
  // The SDK expands ~/ with its own idea of home (process.env.HOME): point both at the temporary directory.
  const savedHome = process.env.HOME;
  process.env.HOME = directory;
  try {
    assert.equal(await profileHoldsCredentials('home', { ...env, AWS_CONFIG_FILE: '~/config' }), true);
  } finally {
    if (savedHome === undefined) delete process.env.HOME;
    else process.env.HOME = savedHome;
  }
});
