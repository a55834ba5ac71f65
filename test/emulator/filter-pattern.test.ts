// The CloudWatch Logs filter-pattern matcher on its own: which messages each pattern keeps, and which patterns it refuses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileFilterPattern, FilterPatternError, splitDelimitedFields } from '../../src/emulator/services/filter-pattern.js';

const START = 'START RequestId: 5b3c0f52-1111-4c1e-9a7e-0c3d2f1e0a01 Version: $LATEST\n';
const INVOKE_ERROR =
  '2025-12-11T16:23:54.722Z\t5b3c0f52-1111-4c1e-9a7e-0c3d2f1e0a01\tERROR\tInvoke Error \t{"errorType":"Error","errorMessage":"name is required"}\n';
const INFO = '2025-12-11T16:23:54.700Z\t5b3c0f52-1111-4c1e-9a7e-0c3d2f1e0a01\tINFO\thello chucks\n';

function keeps(pattern: string, messages: string[]): string[] {
  const matches = compileFilterPattern(pattern);
  return messages.filter((message) => matches(message));
}

test('an empty or missing pattern matches every message', () => {
  assert.deepEqual(keeps('', [START, INFO]), [START, INFO]);
  assert.deepEqual(keeps('   ', [START]), [START]);
  assert.equal(compileFilterPattern(undefined)('anything'), true);
});

test('a bare term matches anywhere in the message, case-sensitively', () => {
  assert.deepEqual(keeps('ERROR', ['[ERROR] A fatal exception', 'Exiting with ERRORCODE: -1', 'error: lower case']), [
    '[ERROR] A fatal exception',
    'Exiting with ERRORCODE: -1',
  ]);
  assert.deepEqual(keeps('START', [START, INFO]), [START]);
});

test('several bare terms must all appear, in any order', () => {
  assert.deepEqual(keeps('Exception ERROR', ['[ERROR] Caught IllegalArgumentException', '[ERROR] boom', 'Exception only']), [
    '[ERROR] Caught IllegalArgumentException',
  ]);
});

test('a double-quoted phrase matches that exact text, punctuation and spaces included', () => {
  assert.deepEqual(keeps('"Invoke Error"', [INVOKE_ERROR, INFO, 'Error Invoke']), [INVOKE_ERROR]);
  assert.deepEqual(keeps('"RequestId: 5b3c0f52-1111-4c1e-9a7e-0c3d2f1e0a01"', [START, INFO]), [START]);
  assert.deepEqual(keeps('"START RequestId:" "5b3c0f52-1111"', [START, INFO]), [START]);
});

test('an escaped quote inside a phrase is a literal quote', () => {
  assert.deepEqual(keeps('"\\"errorType\\":\\"Error\\""', [INVOKE_ERROR, INFO]), [INVOKE_ERROR]);
});

test('-term excludes messages containing it', () => {
  assert.deepEqual(keeps('ERROR -WARN', ['ERROR WARN message', 'ERROR message', 'WARN message']), ['ERROR message']);
  assert.deepEqual(keeps('-"Invoke Error"', [INVOKE_ERROR, INFO]), [INFO]);
  assert.deepEqual(keeps('"ERROR" - "Exiting"', ['ERROR here', 'Exiting with ERRORCODE']), ['ERROR here']);
});

test('?a ?b matches messages containing either term', () => {
  assert.deepEqual(keeps('?ERROR ?WARN', ['ERROR WARN message', 'ERROR message', 'WARN message', 'INFO message']), [
    'ERROR WARN message',
    'ERROR message',
    'WARN message',
  ]);
  assert.deepEqual(keeps('?"Invoke Error" ?"Task timed out"', [INVOKE_ERROR, INFO, 'x Task timed out after 3.00 seconds']), [
    INVOKE_ERROR,
    'x Task timed out after 3.00 seconds',
  ]);
});

test('a bare term with punctuation is refused the way AWS refuses it', () => {
  assert.throws(() => compileFilterPattern('RequestId: abc'), { name: 'FilterPatternError', message: "Invalid character(s) in term ':'" });
  assert.throws(() => compileFilterPattern('a-b'), { message: "Invalid character(s) in term '-'" });
});

test('an unterminated quote is an invalid pattern', () => {
  assert.throws(() => compileFilterPattern('"Invoke Error'), FilterPatternError);
});

test('%regex% terms match like a regular expression', () => {
  assert.deepEqual(keeps('%[Ee]rror%', ['Error', 'error', 'ERROR']), ['Error', 'error']);
  assert.deepEqual(keeps('%^START%', [START, INFO]), [START]);
});

test('JSON patterns compare string and number fields with = and !=', () => {
  const messages = ['{"level":"ERROR","code":400}', '{"level":"INFO","code":200}', 'not json {"level":"ERROR"}'];
  assert.deepEqual(keeps('{ $.level = "ERROR" }', messages), [messages[0]]);
  assert.deepEqual(keeps('{ $.level = ERROR }', messages), [messages[0]]);
  assert.deepEqual(keeps('{ $.code = 400 }', messages), [messages[0]]);
  assert.deepEqual(keeps('{ $.code != 400 }', messages), [messages[1]]);
  assert.deepEqual(keeps('{ $.code >= 300 }', messages), [messages[0]]);
});

test('JSON patterns treat * as a wildcard only at either end', () => {
  const messages = ['{"name":"PutEvent"}', '{"name":"EventName"}', '{"name":"Ev*ent"}', '{"name":"Evxent"}'];
  assert.deepEqual(keeps('{ $.name = "*Event" }', messages), [messages[0]]);
  assert.deepEqual(keeps('{ $.name = Event* }', messages), [messages[1]]);
  assert.deepEqual(keeps('{ $.name = "Ev*ent" }', messages), [messages[2]]);
  assert.deepEqual(keeps('{ $.name = * }', [...messages, '{"other":1}']), messages);
});

test('JSON patterns follow nested selectors, array indexes, && || and parentheses', () => {
  const doc = JSON.stringify({ user: { id: 1 }, users: [{ email: 'John.Doe@example.com' }], actions: ['GET', 'PUT', 'DELETE'] });
  assert.equal(compileFilterPattern('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }')(doc), true);
  assert.equal(compileFilterPattern('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }')(doc), false);
  assert.equal(compileFilterPattern('{ $.user.id = 1 || $.actions[0] = nomatch && $.actions[2] = nomatch }')(doc), true);
  assert.equal(compileFilterPattern('{ ($.user.id = 1 || $.actions[0] = nomatch) && $.actions[2] = nomatch }')(doc), false);
});

test('a JSON selector that reaches an array, an object or nothing matches neither = nor !=', () => {
  const doc = '{"users":[1,2,3]}';
  assert.equal(compileFilterPattern('{ $.users = 1 }')(doc), false);
  assert.equal(compileFilterPattern('{ $.users != 1 }')(doc), false);
  assert.equal(compileFilterPattern('{ $.missing != 1 }')(doc), false);
});

test('JSON IS NULL, IS TRUE, IS FALSE and NOT EXISTS', () => {
  const doc = '{"SomeObject":null,"ThisFlag":true,"Off":false}';
  assert.equal(compileFilterPattern('{ $.SomeObject IS NULL }')(doc), true);
  assert.equal(compileFilterPattern('{ $.ThisFlag IS TRUE }')(doc), true);
  assert.equal(compileFilterPattern('{ $.Off IS FALSE }')(doc), true);
  assert.equal(compileFilterPattern('{ $.ThisFlag IS FALSE }')(doc), false);
  assert.equal(compileFilterPattern('{ $.SomeOtherObject NOT EXISTS }')(doc), true);
  assert.equal(compileFilterPattern('{ $.ThisFlag NOT EXISTS }')(doc), false);
});

test('JSON features the emulator does not evaluate are refused with a message saying so', () => {
  assert.throws(() => compileFilterPattern('{ $.items[*].id = 1 }'), /\[\*\].*not support/);
  assert.throws(() => compileFilterPattern('{ $.a = %ab% }'), /Regular expressions inside JSON.*not support/);
  assert.throws(() => compileFilterPattern('{ $.a = 1'), /Invalid filter pattern/);
  assert.throws(() => compileFilterPattern('{ $.a > abc }'), /needs a number/);
});

test('space-delimited fields split on spaces, with "quoted" and [bracketed] fields kept whole', () => {
  assert.deepEqual(
    splitDelimitedFields('127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 200 1534'),
    ['127.0.0.1', '-', 'frank', '10/Oct/2000:13:25:15 -0700', 'GET /apache_pb.gif HTTP/1.0', '200', '1534'],
  );
});

test('space-delimited patterns match positional fields with conditions, wildcards and ...', () => {
  const lines = [
    '127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534',
    '127.0.0.1 - frank [10/Oct/2000:13:35:22 -0700] "GET /apache_pb.gif HTTP/1.0" 500 5324',
    '127.0.0.1 - frank [10/Oct/2000:13:50:35 -0700] "GET /apache_pb.gif HTTP/1.0" 200 4355',
  ];
  assert.deepEqual(keeps('[ip, user, username, timestamp, request, status_code, bytes > 5000]', lines), [lines[1]]);
  assert.deepEqual(keeps('[ip, user, username, timestamp, request, status_code = 200, bytes]', lines), [lines[2]]);
  assert.deepEqual(keeps('[ip, user, username, timestamp, request = *html*, status_code = 4*, bytes]', lines), [lines[0]]);
  assert.deepEqual(keeps('[..., status_code = 5*, bytes]', lines), [lines[1]]);
  assert.deepEqual(keeps('[..., request=*.html*, status_code=4*,]', lines), [lines[0]]);
  assert.deepEqual(keeps('[ip, user, ...]', lines), lines);
  // Without an ellipsis the field count must match.
  assert.deepEqual(keeps('[ip, user]', lines), []);
});

test('space-delimited conditions combine with && and ||', () => {
  const lines = ['ERROR WARN message', 'ERROR message', 'WARN message'];
  assert.deepEqual(keeps('[w1=ERROR, w2]', lines), ['ERROR message']);
  assert.deepEqual(keeps('[w1=ERROR || w1=WARN, w2]', lines), ['ERROR message', 'WARN message']);
  assert.deepEqual(keeps('[w1 = ERROR && w2 != message, w2, ...]', lines), ['ERROR WARN message']);
});
