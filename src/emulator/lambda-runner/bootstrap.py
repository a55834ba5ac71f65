# The Python side of one execution environment: loads the handler as AWS's Python runtime does and runs the
# invocations the runner sends over Node's IPC channel (NODE_CHANNEL_FD: one JSON message a line). Standard library
# only. The payloads and log lines copy aws-lambda-python-runtime-interface-client (awslambdaric): see
# docs/aws-python-runtime.md in the repository for each behaviour and its source.
import importlib
import json
import logging
import os
import sys
import time
import traceback

try:
    import resource
except ImportError:  # not on every platform
    resource = None

_channel = int(os.environ.pop('NODE_CHANNEL_FD'))
os.environ.pop('NODE_CHANNEL_SERIALIZATION_MODE', None)
_reader = os.fdopen(_channel, 'rb', buffering=0)
_writer = os.fdopen(os.dup(_channel), 'wb', buffering=0)

TASK_ROOT = os.environ.get('LAMBDA_TASK_ROOT', os.getcwd())
HANDLER = os.environ.get('_HANDLER', 'index.lambda_handler')
# Where AWS runs the code: tracebacks show /var/task, never the emulator's temporary directory.
SHOWN_ROOT = '/var/task'
_current_request_id = None


def send(message):
    _writer.write((json.dumps(message) + '\n').encode('utf-8'))


def _shown(path):
    return SHOWN_ROOT + path[len(TASK_ROOT):] if path.startswith(TASK_ROOT) else path


def _memory_used_mb():
    if resource is None:
        return 0
    # ru_maxrss is in kilobytes on Linux.
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


class _LogLines:
    """stdout and stderr: each whole line becomes one log event, sent in order with the invocation's own messages."""

    def __init__(self):
        self._pending = ''

    def write(self, text):
        self._pending += text
        while '\n' in self._pending:
            line, self._pending = self._pending.split('\n', 1)
            send({'type': 'log', 'message': line + '\n'})
        return len(text)

    def flush(self):
        if self._pending:
            send({'type': 'log', 'message': self._pending + '\n'})
            self._pending = ''

    def isatty(self):
        return False


sys.stdout = _LogLines()
sys.stderr = _LogLines()


class _LambdaLoggerHandler(logging.Handler):
    """The root logger's handler on AWS: `[LEVEL]\\t<time>\\t<request id>\\t<message>` (awslambdaric's LambdaLoggerHandler)."""

    def emit(self, record):
        try:
            message = self.format(record)
        except Exception:  # a broken message must not break the invocation
            message = str(record.msg)
        # One record is one log event, its lines together (as the runtime's telemetry channel delivers it).
        send({'type': 'log', 'message': message if message.endswith('\n') else message + '\n'})


class _LambdaLoggerFilter(logging.Filter):
    def filter(self, record):
        record.aws_request_id = _current_request_id
        return True


def _setup_logging():
    handler = _LambdaLoggerHandler()
    formatter = logging.Formatter('[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s', '%Y-%m-%dT%H:%M:%S')
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    handler.addFilter(_LambdaLoggerFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)


class LambdaContext:
    """The context object of AWS's Python runtime."""

    def __init__(self, request):
        self.aws_request_id = request['requestId']
        self.function_name = os.environ.get('AWS_LAMBDA_FUNCTION_NAME', '')
        self.function_version = os.environ.get('AWS_LAMBDA_FUNCTION_VERSION', '$LATEST')
        self.invoked_function_arn = request.get('invokedFunctionArn', '')
        self.memory_limit_in_mb = os.environ.get('AWS_LAMBDA_FUNCTION_MEMORY_SIZE', '128')
        self.log_group_name = os.environ.get('AWS_LAMBDA_LOG_GROUP_NAME', '')
        self.log_stream_name = os.environ.get('AWS_LAMBDA_LOG_STREAM_NAME', '')
        self.identity = None
        self.client_context = None
        self._deadline_ms = request['deadline']
        encoded = request.get('clientContext')
        if encoded:
            try:
                import base64

                self.client_context = json.loads(base64.b64decode(encoded))
            except Exception:
                self.client_context = None

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))


def _error_payload(error, tb, request_id=None):
    frames = traceback.extract_tb(tb)
    # The runtime's own frames (this file) are not the user's: AWS shows the handler's frames only.
    frames = [frame for frame in frames if frame.filename != __file__]
    for frame in frames:
        frame.filename = _shown(frame.filename)
    payload = {'errorMessage': str(error), 'errorType': type(error).__name__}
    if request_id is not None:
        payload['requestId'] = request_id
    payload['stackTrace'] = traceback.format_list(frames)
    return payload


def _log_error(payload):
    lines = '[ERROR] %s: %s' % (payload['errorType'], payload['errorMessage'])
    if payload.get('stackTrace'):
        lines += '\nTraceback (most recent call last):\n' + ''.join(payload['stackTrace']).rstrip('\n')
    send({'type': 'log', 'message': lines + '\n'})


def _runtime_error(error_type, message):
    return {'errorMessage': message, 'errorType': error_type, 'requestId': '', 'stackTrace': []}


def _load_handler():
    module_name, _, function_name = HANDLER.rpartition('.')
    if not module_name:
        return None, _runtime_error('Runtime.MalformedHandlerName', "Bad handler '%s': not enough values to unpack (expected 2, got 1)" % HANDLER)
    try:
        module = importlib.import_module(module_name.replace('/', '.'))
    except ModuleNotFoundError as error:
        return None, _runtime_error('Runtime.ImportModuleError', "Unable to import module '%s': %s" % (module_name, error))
    except SyntaxError as error:
        shown = _shown(error.filename or '')
        return None, _runtime_error('Runtime.UserCodeSyntaxError', "Syntax error in module '%s': %s (%s, line %s)" % (module_name, error.msg, shown.rsplit('/', 1)[-1], error.lineno))
    except Exception as error:
        payload = _error_payload(error, error.__traceback__)
        payload['requestId'] = ''
        return None, payload
    handler = getattr(module, function_name, None)
    if handler is None:
        return None, _runtime_error('Runtime.HandlerNotFound', "Handler '%s' missing on module '%s'" % (function_name, module_name))
    return handler, None


def _messages():
    pending = b''
    while True:
        chunk = _reader.read(65536)
        if not chunk:
            return
        pending += chunk
        while b'\n' in pending:
            line, pending = pending.split(b'\n', 1)
            if line.strip():
                yield json.loads(line)


def main():
    global _current_request_id
    sys.path.insert(0, TASK_ROOT)
    _setup_logging()
    warning = os.environ.pop('LAMBDA_ASYNC_DEMO_RUNTIME_WARNING', '')
    if warning:
        send({'type': 'log', 'message': warning + '\n'})
    handler, init_error = _load_handler()
    sys.stdout.flush()
    sys.stderr.flush()
    if init_error is not None:
        _log_error(init_error)
        send({'type': 'init-error', 'error': init_error})
    else:
        send({'type': 'ready'})
    for message in _messages():
        if message.get('type') != 'invoke':
            continue
        request_id = message['requestId']
        _current_request_id = request_id
        if init_error is not None:
            send({'type': 'failure', 'requestId': request_id, 'error': init_error, 'memoryUsedMb': _memory_used_mb()})
            continue
        try:
            event = json.loads(message['payload'])
            result = handler(event, LambdaContext(message))
        except Exception as error:
            payload = _error_payload(error, error.__traceback__, request_id)
            sys.stdout.flush()
            _log_error(payload)
            send({'type': 'failure', 'requestId': request_id, 'error': payload, 'memoryUsedMb': _memory_used_mb()})
            continue
        try:
            body = json.dumps(result)
        except (TypeError, ValueError) as error:
            payload = {'errorMessage': 'Unable to marshal response: %s' % error, 'errorType': 'Runtime.MarshalError', 'requestId': request_id, 'stackTrace': []}
            sys.stdout.flush()
            _log_error(payload)
            send({'type': 'failure', 'requestId': request_id, 'error': payload, 'memoryUsedMb': _memory_used_mb()})
            continue
        sys.stdout.flush()
        sys.stderr.flush()
        send({'type': 'result', 'requestId': request_id, 'payload': body, 'memoryUsedMb': _memory_used_mb()})


main()
