// A server that answers SQS SendMessage, ReceiveMessage and DeleteMessage and Lambda Invoke at once with fixed, valid
// responses: the SDK's own ceiling.
// Usage: node bench/lib/canned-server.mjs <port>. Whatever the bench measures against it is the client's cost alone.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

const INVOKE_PATH = /^\/2015-03-31\/functions\/[^/]+\/invocations$/;
const md5 = (text) => createHash('md5').update(text).digest('hex');

// Ten messages shaped as the emulator returns them to the bench (bodies of the same length), digests the SDK checks.
const RECEIVED = JSON.stringify({
  Messages: Array.from({ length: 10 }, (_, index) => {
    const body = `{"bench":${100 + index}}`;
    return {
      MessageId: `5fea7756-0ea4-451a-a703-a558b933e2${String(index).padStart(2, '0')}`,
      ReceiptHandle: `AQEB${'x'.repeat(195)}${index}`,
      MD5OfBody: md5(body),
      Body: body,
    };
  }),
});

const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    let status = 200;
    let headers = { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'canned' };
    let answer;
    const target = request.headers['x-amz-target'];
    if (target === 'AmazonSQS.SendMessage') {
      // The SDK checks MD5OfMessageBody against what it sent, so the answer must carry the real digest.
      const { MessageBody = '' } = JSON.parse(body || '{}');
      answer = JSON.stringify({ MessageId: '5fea7756-0ea4-451a-a703-a558b933e274', MD5OfMessageBody: md5(MessageBody) });
    } else if (target === 'AmazonSQS.ReceiveMessage') {
      answer = RECEIVED;
    } else if (target === 'AmazonSQS.DeleteMessage') {
      answer = '{}';
    } else if (INVOKE_PATH.test(request.url ?? '')) {
      headers = { 'content-type': 'application/json', 'x-amzn-requestid': 'canned', 'x-amz-executed-version': '$LATEST' };
      answer = '{"statusCode":200}';
    } else {
      status = 400;
      answer = '{"__type":"UnknownOperationException","message":"the canned server answers SendMessage, ReceiveMessage, DeleteMessage and Invoke only"}';
    }
    response.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(answer) });
    response.end(answer);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => process.stdout.write(`http://127.0.0.1:${server.address().port}\n`));
process.once('SIGTERM', () => process.exit(0));
