// The --target aws code path end to end, against the emulator as an --endpoint-url, with AWS's waits scaled down.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { main, type CliIo } from '../../src/cli/main.js';
import type { DeploymentView } from '../../src/commands/activity.js';
import { run, type RunOptions, type RunProgress, type TimingOverrides } from '../../src/commands/run.js';
import { startTestEmulator } from '../helpers/emulator.js';
import { GetFunctionCommand } from '@aws-sdk/client-lambda';
import { NO_PYTHON_REASON, python312 } from '../helpers/python.js';

// Retries come 300 ms then 600 ms apart: AWS's 1:2 shape, 200 times faster.
const emulator = await startTestEmulator({ retryDelaysMs: [300, 600] });

/** Nothing configured: no profile, no keys, no shared files, so the endpoint gets dummy credentials. */
const BARE_ENV = { AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials' };

/** AWS's pacing, scaled: the countdown expects 300/600 ms gaps and prints a line every 150 ms of waiting. */
function scaledTiming(waitMs: number): TimingOverrides {
  return {
    deployPollMs: 50,
    lesson: {
      waitMs,
      pollMs: 100,
      receiveWaitSeconds: 1,
      drainWaitSeconds: 0,
      expectedRetryDelaysMs: [300, 600],
      countdownLineMs: 150,
      minCallSpacingMs: 20,
      throttleBackoff: { baseMs: 20, capMs: 100 },
    },
  };
}

function options(stackName: string, functionName: string, maxRetries = 2): RunOptions {
  return { target: 'aws', endpointUrl: emulator.url, region: 'us-east-1', stackName, functionName, maxRetries, retryDelaysMs: [1000, 2000] };
}

interface Recorded {
  progress: RunProgress;
  /** Everything in order: "info ...", "begin ...", "event Logical STATUS id", "deployed ...", "step N ...", "note N ...". */
  log: string[];
  eventIds: string[];
  outputs: Record<string, string> | undefined;
  progressTexts: Map<number, string[]>;
  notes: Map<number, string[]>;
}

function recorder(): Recorded {
  const recorded: Recorded = { log: [], eventIds: [], outputs: undefined, progressTexts: new Map(), notes: new Map(), progress: undefined! };
  const { log } = recorded;
  recorded.progress = {
    info: (text) => log.push(`info ${text}`),
    begin: (title) => {
      log.push(`begin ${title}`);
      return { update() {}, done: (text) => log.push(`done ${title}: ${text}`), fail: () => log.push(`fail ${title}`) };
    },
    deployment: (title): DeploymentView => {
      log.push(`begin ${title}`);
      return {
        update() {},
        events: (events) => {
          for (const event of events) {
            recorded.eventIds.push(event.EventId!);
            log.push(`event ${event.LogicalResourceId} ${event.ResourceStatus}`);
          }
        },
        done: (text, outputs) => {
          recorded.outputs = outputs;
          log.push(`deployed ${text}`);
        },
        fail: () => log.push(`deploy failed`),
      };
    },
    lesson: () => ({
      started: (step) => (text) => recorded.progressTexts.set(step.id, [...(recorded.progressTexts.get(step.id) ?? []), text]),
      finished: (step, result) => log.push(`step ${step.id} ${result.status}`),
      note: (step, text) => {
        recorded.notes.set(step.id, [...(recorded.notes.get(step.id) ?? []), text]);
        log.push(`note ${step.id} ${text}`);
      },
    }),
  };
  return recorded;
}

test('--target aws prints the account, caller ARN and region before it validates or deploys anything', async () => {
  const recorded = recorder();
  const report = await run(options('LambdaAsyncAws', 'AwsPathFunc'), { progress: recorded.progress, env: BARE_ENV, timing: scaledTiming(5_000) });
  assert.equal(report.ok, true, JSON.stringify(report.steps, null, 2));
  assert.equal(report.target, 'aws');
  assert.equal(recorded.log[0], `begin Connect to ${emulator.url}`, 'a line at once, before the first answer');
  assert.match(
    recorded.log.find((line) => line.startsWith('info '))!,
    new RegExp(`^info Endpoint ${emulator.url.replace(/\./g, '\\.')}: account 000000000000 as arn:aws:iam::000000000000:root, region us-east-1 \\(dummy credentials: none are configured\\)$`),
  );
  assert.ok(
    recorded.log.findIndex((line) => line.startsWith('info Endpoint')) < recorded.log.indexOf('begin Validate templates/LambdaAsync.yaml'),
    'the identity comes first',
  );

  // The deploy: every resource's transitions as CloudFormation reported them, each event once, then the outputs.
  const events = recorded.log.filter((line) => line.startsWith('event '));
  assert.equal(events[0], 'event LambdaAsyncAws REVIEW_IN_PROGRESS', 'the change set made the stack');
  assert.equal(events.at(-1), 'event LambdaAsyncAws CREATE_COMPLETE');
  for (const resource of ['DeadLetterQueue', 'LogGroup', 'FunctionRole', 'Function', 'AsyncConfig']) {
    assert.ok(events.includes(`event ${resource} CREATE_IN_PROGRESS`), resource);
    assert.ok(events.indexOf(`event ${resource} CREATE_COMPLETE`) > events.indexOf(`event ${resource} CREATE_IN_PROGRESS`), resource);
  }
  assert.equal(new Set(recorded.eventIds).size, recorded.eventIds.length, 'no event twice');
  assert.ok(recorded.log.includes('deployed created (CREATE_COMPLETE)'));
  assert.deepEqual(Object.keys(recorded.outputs ?? {}).sort(), ['FunctionName', 'LogGroupName', 'QueueArn', 'QueueUrl']);

  // Step 5 waited out the scaled retries with a countdown of the attempt expected next, and said so in plain lines too.
  const step5 = recorded.progressTexts.get(5) ?? [];
  const retry1 = /^1 of 3 attempts seen · retry 1 (expected in \d+\.\d\d s|expected any moment \(due \d+\.\d\d s ago; AWS is often late\)) · gives up in \d+\.\d\d s$/;
  assert.ok(step5.some((text) => retry1.test(text)), step5.join('\n'));
  assert.ok(step5.some((text) => /^2 of 3 attempts seen · retry 2 (expected in|expected any moment)/.test(text)), step5.join('\n'));
  assert.ok((recorded.notes.get(5) ?? []).length >= 1, 'a waiting step repeats its countdown as a line');
  const offsets = report.steps[4]!.details?.attemptOffsetsMs as number[];
  assert.ok(offsets[1]! - offsets[0]! >= 300 && offsets[2]! - offsets[1]! >= 600, `the retries came at the emulator's pace: ${offsets}`);
  assert.ok((recorded.progressTexts.get(6) ?? []).some((text) => text.startsWith("step 4's event in the DLQ expected")));
});

test('a redeploy with other parameters updates the stack, shows only its own events, and the checks follow --max-retries', async () => {
  const first = recorder();
  await run(options('LambdaAsyncUpdate', 'AwsUpdateFunc', 2), { progress: first.progress, env: BARE_ENV, timing: scaledTiming(5_000) });
  const second = recorder();
  const report = await run(options('LambdaAsyncUpdate', 'AwsUpdateFunc', 1), { progress: second.progress, env: BARE_ENV, timing: scaledTiming(5_000) });
  assert.equal(report.ok, true, JSON.stringify(report.steps, null, 2));
  assert.ok(second.log.includes('deployed updated (UPDATE_COMPLETE)'), second.log.join('\n'));
  const events = second.log.filter((line) => line.startsWith('event '));
  assert.ok(events.includes('event AsyncConfig UPDATE_COMPLETE'), events.join('\n'));
  assert.ok(!events.some((line) => /CREATE_|REVIEW_IN_PROGRESS/.test(line)), `nothing of the first deploy: ${events.join(', ')}`);
  assert.ok(!second.eventIds.some((id) => first.eventIds.includes(id)));
  assert.equal(report.steps[4]!.details?.attempts, 2, 'MaximumRetryAttempts 1: two attempts');
  assert.match(report.steps[4]!.expected, /^2 START lines for step 4's RequestId \(1 \+ 1 retry\)/);

  const unchanged = recorder();
  const again = await run(options('LambdaAsyncUpdate', 'AwsUpdateFunc', 1), { progress: unchanged.progress, env: BARE_ENV, timing: scaledTiming(5_000) });
  assert.equal(again.ok, true);
  assert.ok(unchanged.log.includes('deployed unchanged (UPDATE_COMPLETE)'), 'no changes is success');
  assert.equal(unchanged.eventIds.length, 0);
});

test('the wait gives up at its deadline: a timeout shorter than the retries fails steps 5 and 6, it does not hang', async () => {
  const recorded = recorder();
  const startedAt = Date.now();
  // Retry 2 comes about 900 ms after the invoke: a 600 ms wait cannot see it, however the machine is loaded.
  const report = await run(options('LambdaAsyncDeadline', 'AwsDeadlineFunc'), { progress: recorded.progress, env: BARE_ENV, timing: scaledTiming(600) });
  assert.equal(report.ok, false);
  assert.deepEqual(report.steps.map((step) => step.status), ['pass', 'pass', 'pass', 'pass', 'fail', 'fail']);
  assert.match(report.steps[4]!.observed, /^[012] for step 4's.*; gave up after 0\.60 s \(raise --timeout if AWS is slow\)$/);
  assert.match(report.steps[5]!.observed, /^no message with step 4's RequestId within 0\.60 s of its invoke/);
  assert.ok(Date.now() - startedAt < 8_000, 'bounded by the deadline');
});

function captureIo(onStderr: (all: string, io: { interrupt(): void }) => void): CliIo & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  let listener: (() => void) | undefined;
  const control = { interrupt: () => listener?.() };
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: {
      write: (text: string) => {
        err += text;
        onStderr(err, control);
      },
    },
    env: { NO_COLOR: '1', ...BARE_ENV },
    onInterrupt: (callback) => {
      listener = callback;
      return () => (listener = undefined);
    },
    out: () => out,
    err: () => err,
  };
}

test('Ctrl-C after the deploy exits 130 and prints the teardown command for what was created, and the raw AWS CLI one', async () => {
  let interrupted = false;
  const io = captureIo((err, control) => {
    if (!interrupted && /4\/6 Asynchronous invoke/.test(err)) {
      interrupted = true;
      control.interrupt();
    }
  });
  const code = await main(
    ['run', '--target', 'aws', '--endpoint-url', emulator.url, '--region', 'us-east-1', '--stack-name', 'LambdaAsyncCtrlC', '--function-name', 'AwsCtrlCFunc'],
    io,
  );
  assert.equal(code, 130, io.err());
  assert.ok(interrupted, 'the run reached step 4');
  assert.equal(io.out(), '');
  assert.match(io.err(), /✖ Interrupted: the stack LambdaAsyncCtrlC may be left deployed \(or half-deployed\)\.\n/);
  assert.ok(
    io.err().includes(
      `Hint: Remove it with: lambda-async-demo teardown --target aws --endpoint-url ${emulator.url} --region us-east-1 --stack-name LambdaAsyncCtrlC ` +
        `(or: aws cloudformation delete-stack --stack-name LambdaAsyncCtrlC --region us-east-1 --endpoint-url ${emulator.url})`,
    ),
    io.err(),
  );
});

test('--target aws with an --endpoint-url that does not answer: exit 3, one sentence and a hint, before anything else', async () => {
  const closed = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const io = captureIo(() => {});
  const code = await main(['run', '--target', 'aws', '--endpoint-url', `http://127.0.0.1:${closed}`, '--region', 'us-east-1'], io);
  assert.equal(code, 3);
  assert.match(io.err(), new RegExp(`^✖ Connect to http://127\\.0\\.0\\.1:${closed} \\(\\d+\\.\\d\\d s\\)\\n`));
  assert.ok(
    io.err().endsWith(`✖ Cannot reach http://127.0.0.1:${closed} (ECONNREFUSED).\n  Hint: Check that the endpoint is running and that --endpoint-url points at it.\n`),
    io.err(),
  );
});

test('Ctrl-C before the deploy says nothing was changed', async () => {
  let interrupted = false;
  const io = captureIo((err, control) => {
    if (!interrupted && /account 000000000000/.test(err)) {
      interrupted = true;
      control.interrupt();
    }
  });
  const code = await main(['run', '--target', 'aws', '--endpoint-url', emulator.url, '--region', 'us-east-1', '--stack-name', 'NeverDeployed'], io);
  assert.equal(code, 130, io.err());
  assert.match(io.err(), /Interrupted before the deploy began\.\n {2}Hint: This run changed nothing: there is nothing to clean up\./);
});

test('--target aws --runtime python deploys the Python handler (python3.13) and passes all six steps, step 2 on Python\'s error shape', async (t) => {
  const python = python312();
  if (!python) {
    t.skip(NO_PYTHON_REASON);
    return;
  }
  process.env.LAMBDA_ASYNC_DEMO_PYTHON = python;
  const recorded = recorder();
  const report = await run({ ...options('LambdaAsyncAwsPython', 'AwsPathPythonFunc'), runtime: 'python' }, { progress: recorded.progress, env: BARE_ENV, timing: scaledTiming(5_000) });
  assert.equal(report.ok, true, JSON.stringify(report.steps, null, 2));
  const step2 = report.steps[1]!;
  assert.equal(step2.expected, 'HTTP 200 and FunctionError Unhandled, payload errorType Exception + errorMessage + a stackTrace list');
  assert.match(step2.observed, /Exception: The event has no name/);
  const { Configuration } = await emulator.lambda.send(new GetFunctionCommand({ FunctionName: 'AwsPathPythonFunc' }));
  assert.equal(Configuration?.Runtime, 'python3.13');
  assert.equal(Configuration?.Handler, 'index.lambda_handler');
});
