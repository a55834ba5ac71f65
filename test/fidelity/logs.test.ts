// CloudWatch Logs answers held against AWS recordings: the FilterLogEvents and CreateLogGroup errors.
import { CreateLogGroupCommand, CreateLogStreamCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { test } from 'node:test';
import { awsJsonError, failure, fidelityEmulator, matchesRecording, recorded } from './recorded.js';

const aws = await fidelityEmulator();
const logGroupName = '/fidelity/logs';
await aws.logs.send(new CreateLogGroupCommand({ logGroupName }));
await aws.logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 'stream' }));

test('Logs: FilterLogEvents with limit 10001 is InvalidParameterException with AWS validation words', async () => {
  await failure(aws.logs.send(new FilterLogEventsCommand({ logGroupName, limit: 10001 })));
  matchesRecording(awsJsonError(aws.raw), recorded('logs.json', 'test_filter_log_events_limit_validation', 'error-limit-exceeded'));
});

test('Logs: FilterLogEvents with an unknown nextToken is InvalidParameterException', async () => {
  await failure(aws.logs.send(new FilterLogEventsCommand({ logGroupName, logStreamNames: ['stream'], limit: 20, nextToken: 'invalid-token' })));
  matchesRecording(awsJsonError(aws.raw), recorded('logs.json', 'test_filter_log_events_unknown_token', 'invalid-token'));
});

test('Logs: creating a log group twice is ResourceAlreadyExistsException', async () => {
  await failure(aws.logs.send(new CreateLogGroupCommand({ logGroupName })));
  matchesRecording(awsJsonError(aws.raw), recorded('logs.json', 'test_create_log_group_duplicate_error', 'error-duplicate-log-group'));
});
