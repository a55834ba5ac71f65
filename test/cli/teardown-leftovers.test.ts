// Teardown's offer to delete a log group the stack did not take with it (a deploy from before the template owned it).
import { CreateLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { main, type CliIo } from '../../src/cli/main.js';
import { startTestEmulator } from '../helpers/emulator.js';
import { captureIo as captureTo } from '../helpers/capture-io.js';

const emulator = await startTestEmulator();
const BARE_ENV = { NO_COLOR: '1', AWS_CONFIG_FILE: '/nonexistent/config', AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials' };

const captureIo = (stdin?: CliIo['stdin']) => captureTo(BARE_ENV, stdin ? { stdin } : {});

async function leaveLogGroup(functionName: string): Promise<string> {
  const logGroupName = `/aws/lambda/${functionName}`;
  await emulator.logs.send(new CreateLogGroupCommand({ logGroupName }));
  return logGroupName;
}

async function logGroupExists(logGroupName: string): Promise<boolean> {
  const { logGroups = [] } = await emulator.logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName }));
  return logGroups.some((group) => group.logGroupName === logGroupName);
}

const teardownArgs = (functionName: string) => [
  'teardown', '--target', 'aws', '--endpoint-url', emulator.url, '--region', 'us-east-1',
  '--stack-name', `Leftover${functionName}`, '--function-name', functionName,
];

test('without a terminal and without --yes, a leftover log group is named with the exact command that deletes it (exit 1)', async () => {
  const logGroupName = await leaveLogGroup('LeftoverNoTty');
  const io = captureIo();
  const code = await main(teardownArgs('LeftoverNoTty'), io);
  assert.equal(code, 1, io.err());
  assert.match(io.out(), /nothing to delete/);
  assert.ok(
    io.err().includes(
      `✖ Left behind: the log group ${logGroupName}.\n` +
        `  Hint: Remove it with: aws logs delete-log-group --log-group-name ${logGroupName} --region us-east-1 --endpoint-url ${emulator.url} ` +
        `(or: lambda-async-demo teardown --target aws --endpoint-url ${emulator.url} --region us-east-1 --stack-name LeftoverLeftoverNoTty --yes)`,
    ),
    io.err(),
  );
  assert.equal(await logGroupExists(logGroupName), true, 'nothing deleted without consent');
});

test('with --yes, teardown deletes the leftover log group and exits 0', async () => {
  const logGroupName = await leaveLogGroup('LeftoverYes');
  const io = captureIo();
  const code = await main([...teardownArgs('LeftoverYes'), '--yes'], io);
  assert.equal(code, 0, io.err());
  assert.match(io.err(), new RegExp(`✔ Delete the log group ${logGroupName.replaceAll('/', '\\/')}, left behind: deleted`));
  assert.doesNotMatch(io.err(), /Left behind:/);
  assert.equal(await logGroupExists(logGroupName), false);
});

test('on a terminal, teardown asks, and deletes the leftover log group only on "y"', async () => {
  for (const [answer, deleted] of [['n', false], ['y', true]] as const) {
    const functionName = `LeftoverAsk${answer}`;
    const logGroupName = await leaveLogGroup(functionName);
    const stdin = Object.assign(new PassThrough(), { isTTY: true });
    const io = captureIo(stdin);
    const pending = main(teardownArgs(functionName), io);
    // The question is asked once the stack check is done; the answer waits in the stream until it is read.
    stdin.write(`${answer}\n`);
    const code = await pending;
    stdin.end();
    assert.equal(code, deleted ? 0 : 1, io.err());
    assert.equal(await logGroupExists(logGroupName), !deleted);
  }
});
