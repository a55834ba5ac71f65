// The client factory on the wire: which credentials an endpoint gets, and which calls the SDK may retry.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, test } from 'node:test';
import { createClients } from '../../src/aws/clients.js';
import { explainAwsFailure } from '../../src/aws/errors.js';
import { exitCodeFor } from '../../src/cli/exit-codes.js';

// Nothing here may look for credentials on the network (the chain ends at the EC2 metadata service).
process.env.AWS_EC2_METADATA_DISABLED = 'true';
const BARE_ENV = { AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials' };
const saved = { ...process.env };
afterEach(() => {
  for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
  Object.assign(process.env, saved);
});

/** An endpoint that answers every request 503 and remembers each request's headers and URL. */
const requests: Array<{ url: string; headers: IncomingHttpHeaders }> = [];
const server = createServer((request, response) => {
  requests.push({ url: request.url ?? '', headers: request.headers });
  request.resume();
  request.on('end', () => {
    response.writeHead(503, { 'content-type': 'application/json', 'x-amzn-errortype': 'ServiceUnavailableException' });
    response.end('{"__type":"ServiceUnavailableException","message":"try later"}');
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
after(() => new Promise((resolve) => server.close(resolve)));

function accessKeyOf(headers: IncomingHttpHeaders): string | undefined {
  return /Credential=([^/]+)\//.exec(String(headers.authorization))?.[1];
}

test('an --endpoint-url with no credentials configured gets dummy ones (test/test)', async () => {
  for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE']) delete process.env[key];
  Object.assign(process.env, BARE_ENV);
  const clients = await createClients({ target: 'aws', endpoint, region: 'us-east-1', env: { ...BARE_ENV } });
  try {
    assert.equal(clients.credentials, 'dummy');
    requests.length = 0;
    await assert.rejects(clients.lambda.invoke({ FunctionName: 'SimpleFunc' }));
    assert.equal(accessKeyOf(requests[0]!.headers), 'test');
  } finally {
    clients.destroy();
  }
});

test('an --endpoint-url uses the credentials the user configured: keys in the environment', async () => {
  const env = { ...BARE_ENV, AWS_ACCESS_KEY_ID: 'AKIDFROMENVIRONMENT', AWS_SECRET_ACCESS_KEY: 'secret' };
  Object.assign(process.env, env);
  const clients = await createClients({ target: 'local', endpoint, region: 'us-east-1', env });
  try {
    assert.equal(clients.credentials, 'configured');
    requests.length = 0;
    await assert.rejects(clients.lambda.invoke({ FunctionName: 'SimpleFunc' }));
    assert.equal(accessKeyOf(requests[0]!.headers), 'AKIDFROMENVIRONMENT');
  } finally {
    clients.destroy();
  }
});

test('an --endpoint-url uses the credentials the user configured: the default profile of the shared credentials file', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'lambda-async-demo-creds-'));
  try {
    const file = join(directory, 'credentials');
    await writeFile(file, '[other]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = x\n\n[default]\naws_access_key_id = AKIDFROMFILE\naws_secret_access_key = y\n');
    const env = { AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: file };
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE']) delete process.env[key];
    Object.assign(process.env, env);
    const clients = await createClients({ target: 'aws', endpoint, region: 'us-east-1', env });
    try {
      assert.equal(clients.credentials, 'configured');
      requests.length = 0;
      await assert.rejects(clients.lambda.invoke({ FunctionName: 'SimpleFunc' }));
      assert.equal(accessKeyOf(requests[0]!.headers), 'AKIDFROMFILE');
    } finally {
      clients.destroy();
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

test('an --endpoint-url uses the credentials of the profile AWS_PROFILE names, not the default one', async () => {
  const directory = await mkdtemp(join(tmpdir(), 'lambda-async-demo-creds-'));
  try {
    const file = join(directory, 'credentials');
    await writeFile(file, '[default]\nregion = us-east-1\n\n[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = x\n');
    const files = { AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: file };
    for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE']) delete process.env[key];
    Object.assign(process.env, files);
    // AWS_PROFILE only in the environment given: the clients must hand the profile to the SDK themselves.
    const clients = await createClients({ target: 'aws', endpoint, region: 'us-east-1', env: { ...files, AWS_PROFILE: 'dev' } });
    try {
      assert.equal(clients.credentials, 'configured');
      assert.equal(clients.profile, 'dev');
      requests.length = 0;
      await assert.rejects(clients.lambda.invoke({ FunctionName: 'SimpleFunc' }));
      assert.equal(accessKeyOf(requests[0]!.headers), 'AKIDDEV');
    } finally {
      clients.destroy();
    }
  } finally {
    await rm(directory, { recursive: true, force: true });
  }
});

test('the in-process emulator always gets dummy credentials, never the user\'s keys', async () => {
  const env = { ...BARE_ENV, AWS_ACCESS_KEY_ID: 'AKIDREAL', AWS_SECRET_ACCESS_KEY: 'secret' };
  Object.assign(process.env, env);
  const clients = await createClients({ target: 'local', endpoint, region: 'us-east-1', env, inProcess: true });
  try {
    assert.equal(clients.credentials, 'dummy');
    requests.length = 0;
    await assert.rejects(clients.lambda.invoke({ FunctionName: 'SimpleFunc' }));
    assert.equal(accessKeyOf(requests[0]!.headers), 'test');
  } finally {
    clients.destroy();
  }
});

test('an explicit --profile that does not exist is an error about credentials, not a silent fallback', async () => {
  Object.assign(process.env, BARE_ENV);
  await assert.rejects(createClients({ target: 'aws', endpoint, region: 'us-east-1', profile: 'nope', env: { ...BARE_ENV } }), (error: unknown) => {
    const explained = explainAwsFailure(error, { endpoint, region: 'us-east-1', profile: 'nope' });
    assert.equal(explained && exitCodeFor(explained), 3);
    assert.equal(explained!.message, 'No AWS credentials were found for the profile nope (Could not load credentials from any providers).');
    return true;
  });
});

test('Invoke is never retried by the client, while the other calls keep the SDK\'s standard retries (3 attempts)', async () => {
  const clients = await createClients({ target: 'aws', endpoint, region: 'us-east-1', env: { ...BARE_ENV } });
  try {
    requests.length = 0;
    await assert.rejects(clients.lambda.invoke({ FunctionName: 'SimpleFunc', InvocationType: 'Event' }), /try later/);
    assert.equal(requests.length, 1, 'one Invoke request: an extra START line can only be Lambda\'s own retry');

    requests.length = 0;
    await assert.rejects(clients.sqs.receiveMessage({ QueueUrl: `${endpoint}/000000000000/q` }));
    assert.equal(requests.length, 3, 'ReceiveMessage: the first try and two retries');

    requests.length = 0;
    await assert.rejects(clients.logs.filterLogEvents({ logGroupName: '/aws/lambda/SimpleFunc' }));
    assert.equal(requests.length, 3, 'FilterLogEvents: the first try and two retries');
  } finally {
    clients.destroy();
  }
});
