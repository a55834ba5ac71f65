// No web page can drive the emulator (docs/DESIGN.md §5): unsigned requests, foreign Host names (DNS rebinding), Origin and
// Sec-Fetch-Site headers and CORS preflights are refused, shown with plain HTTP and with a real headless Chromium.
import { DescribeStacksCommand, ListStacksCommand } from '@aws-sdk/client-cloudformation';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import type { Emulator } from '../../src/emulator/index.js';
import { startTestEmulator } from '../helpers/emulator.js';
import { SIGNED_SHAPE, sendRaw } from '../helpers/raw-request.js';

const serverLog: string[] = [];
const env = await startTestEmulator({ log: (line) => serverLog.push(line) });
const emulator = env.running.emulator;
const host = `127.0.0.1:${env.running.port}`;
const scratch = mkdtempSync(join(tmpdir(), 'lambda-async-demo-pages-'));
test.after(() => rmSync(scratch, { recursive: true, force: true }));

/** Code that leaves a file behind if it ever runs: the proof a page did or did not run code on this machine. */
function markerCode(marker: string): string {
  return `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran'); exports.handler = async () => { require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran'); return 1; };`;
}

/** An existing function whose code writes `marker` when invoked. */
function victim(target: Emulator, name: string, marker: string): void {
  const role = target.iam.createRole({ RoleName: `${name}-role`, Policies: [] });
  target.lambda.createFunction({ FunctionName: name, Runtime: 'nodejs24.x', Handler: 'index.handler', Role: role.Arn, Code: { ZipFile: markerCode(marker) }, Timeout: 3 });
}

function createStackForm(stackName: string, marker: string): string {
  const template = {
    Resources: {
      Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] } } },
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: { Runtime: 'nodejs24.x', Handler: 'index.handler', Role: { 'Fn::GetAtt': ['Role', 'Arn'] }, Code: { ZipFile: markerCode(marker) } },
      },
    },
  };
  return new URLSearchParams({
    Action: 'CreateStack',
    Version: '2010-05-15',
    StackName: stackName,
    TemplateBody: JSON.stringify(template),
    'Capabilities.member.1': 'CAPABILITY_IAM',
  }).toString();
}

async function stackExists(stackName: string): Promise<boolean> {
  try {
    await env.cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    return true;
  } catch {
    return false;
  }
}

async function startLines(functionName: string): Promise<number> {
  const { events } = await env.logs.send(new FilterLogEventsCommand({ logGroupName: `/aws/lambda/${functionName}` })).catch(() => ({ events: [] }));
  return (events ?? []).filter((event) => event.message?.startsWith('START')).length;
}

test('an unsigned form POST of CreateStack is refused with 403 MissingAuthenticationToken and creates nothing', async () => {
  const marker = join(scratch, 'form-post');
  const response = await sendRaw(env.url, {
    method: 'POST',
    path: '/',
    headers: { host, 'content-type': 'application/x-www-form-urlencoded' },
    body: createStackForm('FromAPage', marker),
    unsigned: true,
  });
  assert.equal(response.status, 403);
  assert.match(response.text, /<Code>MissingAuthenticationToken<\/Code>/);
  assert.match(response.text, /<Message>Request is missing Authentication Token<\/Message>/);
  assert.equal(await stackExists('FromAPage'), false);
  assert.equal(existsSync(marker), false);
});

test('an unsigned text/plain POST to an invoke URL is refused with 403 in rest-json and runs no code', async () => {
  const marker = join(scratch, 'text-plain');
  victim(emulator, 'plain-victim', marker);
  const response = await sendRaw(env.url, {
    method: 'POST',
    path: '/2015-03-31/functions/plain-victim/invocations',
    headers: { host, 'content-type': 'text/plain' },
    body: '{}',
    unsigned: true,
  });
  assert.equal(response.status, 403);
  assert.equal(response.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
  assert.equal(existsSync(marker), false);
  assert.equal(await startLines('plain-victim'), 0);
});

test('a signed-looking request with a foreign Host (DNS rebinding) is refused and runs no code', async () => {
  const marker = join(scratch, 'rebinding');
  victim(emulator, 'rebind-victim', marker);
  for (const foreign of [`attacker.example:${env.running.port}`, `127.0.0.1.nip.io:${env.running.port}`, '127.0.0.1:1', 'localhost']) {
    const response = await sendRaw(env.url, {
      method: 'POST',
      path: '/2015-03-31/functions/rebind-victim/invocations',
      headers: { host: foreign, authorization: SIGNED_SHAPE },
      body: '{}',
    });
    assert.equal(response.status, 403, foreign);
    assert.equal(response.headers['x-amzn-errortype'], 'AccessDeniedException', foreign);
  }
  assert.equal(existsSync(marker), false);
  assert.ok(serverLog.some((line) => line.startsWith('refused POST /2015-03-31/functions/rebind-victim/invocations')));
});

test('Origin headers and cross-site or same-site Sec-Fetch-Site are refused even when signed; Sec-Fetch-Site none is served', async () => {
  const query = (headers: Record<string, string>) =>
    sendRaw(env.url, { method: 'POST', path: '/', headers: { host, 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: 'Action=ListStacks&Version=2010-05-15' });
  for (const headers of <Array<Record<string, string>>>[{ origin: 'http://attacker.example' }, { origin: 'null' }, { 'sec-fetch-site': 'cross-site' }, { 'sec-fetch-site': 'same-site' }, { 'sec-fetch-site': 'same-origin' }]) {
    const response = await query(headers);
    assert.equal(response.status, 403, JSON.stringify(headers));
    assert.match(response.text, /<Code>AccessDenied<\/Code>/);
  }
  assert.equal((await query({ 'sec-fetch-site': 'none' })).status, 200);
  assert.equal((await query({})).status, 200);
});

test('a CORS preflight gets no permission', async () => {
  const response = await sendRaw(env.url, {
    method: 'OPTIONS',
    path: '/2015-03-31/functions/x/invocations',
    headers: { host, origin: 'http://attacker.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    unsigned: true,
  });
  assert.equal(response.status, 403);
  assert.equal(Object.keys(response.headers).filter((name) => name.startsWith('access-control-')).length, 0);
});

test('any credentials work for a program that signs: the SDK with made-up keys lists queues', async () => {
  const client = new SQSClient({ endpoint: env.url, region: 'eu-west-3', credentials: { accessKeyId: 'AKIAMADEUP', secretAccessKey: 'anything' } });
  try {
    const output = await client.send(new ListQueuesCommand({}));
    assert.equal(output.$metadata.httpStatusCode, 200);
  } finally {
    client.destroy();
  }
});

test('aws --no-sign-request gets the recognisable MissingAuthenticationToken error', async (t) => {
  const version = await promisify(execFile)('aws', ['--version']).then((out) => out.stdout + out.stderr).catch(() => '');
  if (!version.startsWith('aws-cli/')) {
    t.skip('no AWS CLI on PATH');
    return;
  }
  const outcome = await promisify(execFile)('aws', ['cloudformation', 'list-stacks', '--no-sign-request', '--endpoint-url', env.url, '--region', 'us-east-1'], {
    env: { ...process.env, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' },
  }).then(() => ({ stderr: '' }), (error: { stderr: string }) => ({ stderr: error.stderr }));
  assert.match(outcome.stderr, /\(MissingAuthenticationToken\).*Request is missing Authentication Token/);
});

/** Debian's chromium, if installed. */
const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((candidate) => existsSync(candidate));

test('a real browser page cannot create a stack or run code: form POST, text/plain fetch and no-cors fetch all refused', { skip: !CHROMIUM && 'Chromium is not installed (apt-get install chromium); .ci/run installs it' }, async () => {
  const marker = join(scratch, 'browser');
  victim(emulator, 'browser-victim', marker);
  const before = serverLog.length;
  // The attacker's page, on another loopback port: a cross-origin form POST (into a frame), a text/plain POST through
  // fetch, and a no-cors fetch of a form body. None of them can add an Authorization header.
  const page = `<!doctype html><html><body>
<iframe name="sink"></iframe>
<form id="f" method="POST" action="${env.url}/" target="sink" enctype="application/x-www-form-urlencoded">
${[...new URLSearchParams(createStackForm('FromBrowser', marker))].map(([name, value]) => `<input type="hidden" name="${name}" value="${value.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}">`).join('\n')}
</form>
<script>
document.getElementById('f').submit();
fetch(${JSON.stringify(`${env.url}/2015-03-31/functions/browser-victim/invocations`)}, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' }).catch(() => {});
fetch(${JSON.stringify(`${env.url}/`)}, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: ${JSON.stringify(createStackForm('FromNoCors', marker))} }).catch(() => {});
</script></body></html>`;
  const pageServer = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    response.end(page);
  });
  await new Promise<void>((resolve) => pageServer.listen(0, '127.0.0.1', resolve));
  const pagePort = (pageServer.address() as { port: number }).port;
  const profile = mkdtempSync(join(tmpdir(), 'lambda-async-demo-chromium-'));
  try {
    const browser = spawn(
      CHROMIUM!,
      [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`, '--virtual-time-budget=5000', '--dump-dom',
        `http://127.0.0.1:${pagePort}/attack.html`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let dom = '';
    browser.stdout.on('data', (chunk: Buffer) => (dom += chunk.toString()));
    const exitCode = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => browser.kill('SIGKILL'), 60_000);
      browser.on('close', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    assert.equal(exitCode, 0, 'chromium did not finish');
    assert.match(dom, /<form id="f"/, 'chromium did not load the page');
  } finally {
    pageServer.close();
    rmSync(profile, { recursive: true, force: true });
  }
  // The browser did reach the emulator, and every request it sent was refused.
  const refused = serverLog.slice(before).filter((line) => line.startsWith('refused '));
  assert.ok(refused.some((line) => line.startsWith('refused POST /2015-03-31/functions/browser-victim/invocations')), refused.join('\n'));
  assert.ok(refused.filter((line) => line.startsWith('refused POST /:')).length >= 2, refused.join('\n'));
  const { StackSummaries } = await env.cfn.send(new ListStacksCommand({}));
  assert.deepEqual((StackSummaries ?? []).map((stack) => stack.StackName).filter((name) => name?.startsWith('From')), []);
  assert.equal(existsSync(marker), false);
  assert.equal(await startLines('browser-victim'), 0);
});
