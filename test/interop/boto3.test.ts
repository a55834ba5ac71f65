// boto3, an independent client, walks the lesson against the emulator: change set deploy, invokes, logs, DLQ, teardown.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runProgram } from '../helpers/aws-cli.js';
import { startTestEmulator } from '../helpers/emulator.js';
import { NO_PYTHON_REASON, python312 } from '../helpers/python.js';

const TEMPLATE = fileURLToPath(new URL('../../templates/LambdaAsync.yaml', import.meta.url));

// The script only observes; every expectation lives in the assertions below. argv: endpoint URL, template path.
const LESSON_SCRIPT = `
import json, sys, time
import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

endpoint, template_path = sys.argv[1], sys.argv[2]
session = boto3.session.Session()
def client(name, **kwargs):
    return session.client(name, endpoint_url=endpoint, **kwargs)
cfn, sqs, logs = client('cloudformation'), client('sqs'), client('logs')
# No client-side retry of Invoke: a retried request would look like one more Lambda attempt in the logs.
lam = client('lambda', config=Config(retries={'max_attempts': 1, 'mode': 'standard'}))
fast = {'Delay': 1, 'MaxAttempts': 30}
out = {}

with open(template_path) as f:
    template = f.read()
change_set = cfn.create_change_set(
    StackName='LambdaAsync', ChangeSetName='boto3-lesson', ChangeSetType='CREATE', TemplateBody=template,
    Capabilities=['CAPABILITY_IAM'])
out['stackStatusBeforeExecute'] = cfn.describe_stacks(StackName='LambdaAsync')['Stacks'][0]['StackStatus']
cfn.get_waiter('change_set_create_complete').wait(ChangeSetName=change_set['Id'], StackName='LambdaAsync', WaiterConfig=fast)
cfn.execute_change_set(ChangeSetName=change_set['Id'], StackName='LambdaAsync', DisableRollback=True)
cfn.get_waiter('stack_create_complete').wait(StackName='LambdaAsync', WaiterConfig=fast)
stack = cfn.describe_stacks(StackName='LambdaAsync')['Stacks'][0]
out['stackStatus'] = stack['StackStatus']
outputs = {o['OutputKey']: o['OutputValue'] for o in stack.get('Outputs', [])}
out['outputs'] = outputs

def invoke(payload, invocation_type):
    response = lam.invoke(FunctionName='SimpleFunc', InvocationType=invocation_type, Payload=payload.encode())
    return {
        'StatusCode': response['StatusCode'],
        'FunctionError': response.get('FunctionError'),
        'Payload': response['Payload'].read().decode(),
        'RequestId': response['ResponseMetadata']['RequestId'],
        'Retries': response['ResponseMetadata']['RetryAttempts'],
    }
out['invokes'] = [
    invoke('{"from":"sync","name":"chucks"}', 'RequestResponse'),
    invoke('{"from":"sync","name":""}', 'RequestResponse'),
    invoke('{"from":"async","name":"chucks"}', 'Event'),
    invoke('{"from":"async","name":""}', 'Event'),
]

def start_lines():
    lines = []
    for page in logs.get_paginator('filter_log_events').paginate(logGroupName='/aws/lambda/SimpleFunc'):
        lines += [e['message'] for e in page['events'] if e['message'].startswith('START RequestId: ')]
    return lines
deadline = time.time() + 30
starts = start_lines()
while sum(1 for line in starts if out['invokes'][3]['RequestId'] in line) < 3 and time.time() < deadline:
    time.sleep(0.2)
    starts = start_lines()
out['startLines'] = starts

received = sqs.receive_message(
    QueueUrl=outputs['QueueUrl'], MessageAttributeNames=['All'], MaxNumberOfMessages=10, WaitTimeSeconds=5)
out['dlq'] = [{'Body': m['Body'], 'MessageAttributes': m.get('MessageAttributes')} for m in received.get('Messages', [])]
for m in received.get('Messages', []):
    sqs.delete_message(QueueUrl=outputs['QueueUrl'], ReceiptHandle=m['ReceiptHandle'])

cfn.delete_stack(StackName='LambdaAsync')
cfn.get_waiter('stack_delete_complete').wait(StackName='LambdaAsync', WaiterConfig=fast)

def raised(call, exception_class):
    try:
        call()
        return {'raised': None}
    except exception_class as e:
        return {'raised': type(e).__name__, 'code': e.response['Error']['Code'], 'message': e.response['Error']['Message'],
                'status': e.response['ResponseMetadata']['HTTPStatusCode']}
    except ClientError as e:
        return {'raised': 'ClientError (not the modelled class)', 'code': e.response['Error']['Code']}
out['missingQueue'] = raised(lambda: sqs.get_queue_attributes(QueueUrl=outputs['QueueUrl']), sqs.exceptions.QueueDoesNotExist)
out['missingQueueUrl'] = raised(lambda: sqs.get_queue_url(QueueName=outputs['QueueUrl'].rsplit('/', 1)[1]), sqs.exceptions.QueueDoesNotExist)
out['missingFunction'] = raised(lambda: lam.get_function(FunctionName='SimpleFunc'), lam.exceptions.ResourceNotFoundException)
out['missingStack'] = raised(lambda: cfn.describe_stacks(StackName='LambdaAsync'), ClientError)
out['logGroups'] = [g['logGroupName'] for g in logs.describe_log_groups()['logGroups']]
print(json.dumps(out))
`;

interface Observed {
  stackStatusBeforeExecute: string;
  stackStatus: string;
  outputs: Record<string, string>;
  invokes: Array<{ StatusCode: number; FunctionError: string | null; Payload: string; RequestId: string; Retries: number }>;
  startLines: string[];
  dlq: Array<{ Body: string; MessageAttributes: unknown }>;
  missingQueue: { raised: string | null; code?: string; message?: string; status?: number };
  missingQueueUrl: { raised: string | null; code?: string; message?: string; status?: number };
  missingFunction: { raised: string | null; code?: string; message?: string; status?: number };
  missingStack: { raised: string | null; code?: string; message?: string; status?: number };
  logGroups: string[];
}

/** What a walk expects of the template it deploys: the bundled one (Node.js) or the course's own (Python). */
interface Lesson {
  template: string;
  syncOkPayload: unknown;
  errorType: string;
  /** The bundled template owns its log group; the course's leaves Lambda's behind, as on AWS. */
  ownsLogGroup: boolean;
}

async function walkWithBoto3(t: TestContext, lesson: Lesson): Promise<void> {
  const probe = await runProgram('python3', ['-c', 'import boto3']).catch((error: Error) => ({
    exitCode: -1,
    stdout: '',
    stderr: error.message,
  }));
  if (probe.exitCode !== 0) {
    t.skip(`boto3 not installed: python3 -c "import boto3" failed: ${probe.stderr.trim().split('\n').at(-1) ?? ''}`);
    return;
  }
  const emulator = await startTestEmulator({ retryDelaysMs: [200, 400] });
  // Closed with the test: startTestEmulator's after() from inside a running test may never run (see aws-cli.test.ts).
  t.after(async () => {
    for (const client of [emulator.cfn, emulator.lambda, emulator.sqs, emulator.logs]) client.destroy();
    await emulator.running.close();
  });

  const run = await runProgram('python3', ['-c', LESSON_SCRIPT, emulator.url, lesson.template], { timeoutMs: 120_000 });
  assert.equal(run.exitCode, 0, `boto3 script failed:\n${run.stderr}`);
  const observed = JSON.parse(run.stdout) as Observed;

  assert.equal(observed.stackStatusBeforeExecute, 'REVIEW_IN_PROGRESS');
  assert.equal(observed.stackStatus, 'CREATE_COMPLETE');
  assert.ok(observed.outputs.QueueUrl?.startsWith(`${emulator.url}/`), JSON.stringify(observed.outputs));
  assert.equal(observed.outputs.FunctionName, 'SimpleFunc');

  const [syncOk, syncFail, asyncOk, asyncFail] = observed.invokes;
  assert.deepEqual(
    observed.invokes.map((invoke) => [invoke.StatusCode, invoke.FunctionError, invoke.Retries]),
    [[200, null, 0], [200, 'Unhandled', 0], [202, null, 0], [202, null, 0]],
  );
  assert.deepEqual(JSON.parse(syncOk.Payload), lesson.syncOkPayload);
  const errorDocument = JSON.parse(syncFail.Payload) as { errorType: string; errorMessage: string };
  assert.equal(errorDocument.errorType, lesson.errorType);
  assert.equal(asyncOk.Payload, '');
  assert.equal(asyncFail.Payload, '');

  const startsOf = (requestId: string) => observed.startLines.filter((line) => line.includes(requestId)).length;
  assert.equal(startsOf(asyncFail.RequestId), 3, observed.startLines.join(''));
  assert.equal(startsOf(asyncOk.RequestId), 1);
  assert.equal(startsOf(syncOk.RequestId), 1);
  assert.equal(startsOf(syncFail.RequestId), 1);

  assert.deepEqual(observed.dlq, [
    {
      Body: '{"from":"async","name":""}',
      MessageAttributes: {
        RequestID: { DataType: 'String', StringValue: asyncFail.RequestId },
        ErrorCode: { DataType: 'Number', StringValue: '200' },
        ErrorMessage: { DataType: 'String', StringValue: errorDocument.errorMessage },
      },
    },
  ]);

  // docs/aws-semantics.md §5.2: botocore raises the modelled class from x-amzn-query-error, code stays the legacy one.
  for (const missing of [observed.missingQueue, observed.missingQueueUrl]) {
    assert.deepEqual(missing, {
      raised: 'QueueDoesNotExist',
      code: 'AWS.SimpleQueueService.NonExistentQueue',
      message: 'The specified queue does not exist.',
      status: 400,
    });
  }
  assert.equal(observed.missingFunction.raised, 'ResourceNotFoundException');
  assert.equal(observed.missingFunction.status, 404);
  assert.match(observed.missingFunction.message ?? '', /^Function not found: arn:aws:lambda:us-east-1:\d{12}:function:SimpleFunc$/);
  assert.deepEqual(observed.missingStack, {
    raised: 'ClientError',
    code: 'ValidationError',
    message: 'Stack with id LambdaAsync does not exist',
    status: 400,
  });
  assert.equal(observed.logGroups.includes('/aws/lambda/SimpleFunc'), !lesson.ownsLogGroup, observed.logGroups.join(', '));
}

test('boto3 walks the lesson: change set deploy, 200/200/202/202, three STARTs, the DLQ message, modelled exceptions after teardown', async (t) => {
  await walkWithBoto3(t, { template: TEMPLATE, syncOkPayload: { statusCode: 200, body: 'Hello, chucks!' }, errorType: 'Error', ownsLogGroup: true });
});

test("boto3 walks the course's own Python template (python3.12 SimpleFunc) the same way", async (t) => {
  const python = python312();
  if (!python) {
    t.skip(NO_PYTHON_REASON);
    return;
  }
  process.env.LAMBDA_ASYNC_DEMO_PYTHON = python;
  const template = fileURLToPath(new URL('../fixtures/course-LambdaAsync.yaml', import.meta.url));
  await walkWithBoto3(t, { template, syncOkPayload: { statusCode: 200, body: '"Hello, chucks"' }, errorType: 'Exception', ownsLogGroup: false });
});
