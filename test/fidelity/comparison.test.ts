// The recorded-answer comparison itself: placeholders stand for values of their shape, bound ones for one value.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Comparison } from './recorded.js';

const SOURCE = { repository: 'test', test: 'comparison' };
const ID = '0f8fad5b-d9cb-469f-a165-70867728950e';

test('a numbered placeholder matches a value of its shape and must stand for the same value every time', () => {
  const comparison = new Comparison(SOURCE);
  comparison.check({ MessageId: ID, Arn: 'arn:aws:sqs:us-east-1:000000000000:q' }, { MessageId: '<uuid:1>', Arn: 'arn:<partition>:sqs:<region>:111111111111:<resource:1>' });
  comparison.check(`END RequestId: ${ID}`, 'END RequestId: <uuid:1>');
  assert.throws(() => comparison.check('END RequestId: 1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed', 'END RequestId: <uuid:1>'), /stood for/);
  assert.throws(() => new Comparison(SOURCE).check('not-a-uuid', '<uuid:1>'), /does not have the recorded shape/);
});

test('keys must match both ways unless the scenario names the path it skips and why', () => {
  assert.throws(() => new Comparison(SOURCE).check({ A: 1, B: 2 }, { A: 1 }), /the keys/);
  assert.throws(() => new Comparison(SOURCE).check({ A: 1 }, { A: 1, Tags: [] }), /the keys/);
  new Comparison(SOURCE, { '$.B': 'not recorded' }).check({ A: 1, B: 2 }, { A: 1 });
  new Comparison(SOURCE, { '$.Messages.*.Body': 'another body' }).check({ Messages: [{ Body: 'x' }] }, { Messages: [{ Body: 'y' }] });
});

test('datetime, timestamp and JSON bodies are compared by what they hold', () => {
  new Comparison(SOURCE).check({ CreationTime: new Date(), SentTimestamp: '1764806400000', Body: '{"a":1}' }, { CreationTime: 'datetime', SentTimestamp: 'timestamp', Body: { a: 1 } });
  assert.throws(() => new Comparison(SOURCE).check({ CreationTime: 'soon' }, { CreationTime: 'datetime' }), /a date-time/);
  assert.throws(() => new Comparison(SOURCE).check({ Body: '{"a":2}' }, { Body: { a: 1 } }));
});
