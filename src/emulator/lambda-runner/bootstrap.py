# The Python side of one execution environment: loads the handler as AWS's Python runtime does and runs the
# invocations the runner sends over Node's IPC channel (NODE_CHANNEL_FD: one JSON message a line). Standard library
# only. The payloads, log lines and context copy aws-lambda-python-runtime-interface-client (awslambdaric) at 46e4c6a
# (awslambdaric/bootstrap.py, lambda_context.py, lambda_runtime_marshaller.py, lambda_literals.py,
# lambda_runtime_exception.py); each part names what it follows, and docs/aws-semantics.md §9 lists them with sources.
import importlib
import json
import logging
import os
import sys
import threading
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
# Bytes read from the channel past the last whole message: _messages() starts with them.
_pending = b''


def _next_message():
    global _pending
    while b'\n' not in _pending:
        chunk = _reader.read(65536)
        if not chunk:
            return None
        _pending += chunk
    line, _pending = _pending.split(b'\n', 1)
    return json.loads(line) if line.strip() else _next_message()


# A spare interpreter, started before any function needed it (spare-runtime.ts), waits here for the function it will
# serve, as bootstrap.ts does for Node.js: nothing below has read os.environ or the working directory until then.
if os.environ.pop('LAMBDA_ASYNC_DEMO_SPARE_RUNTIME', None) == '1':
    _writer.write(b'{"type": "standby"}\n')
    while True:
        _assignment = _next_message()
        if _assignment is None:
            sys.exit(0)  # the emulator went away before it needed this interpreter
        if _assignment.get('type') == 'assign':
            break
    os.environ.update(_assignment['env'])
    os.chdir(_assignment['cwd'])

TASK_ROOT = os.environ.get('LAMBDA_TASK_ROOT', os.getcwd())
HANDLER = os.environ.get('_HANDLER', 'index.lambda_handler')
# Where AWS keeps the code and the interpreter: tracebacks show /var/task/... for the function's files and
# /var/lang/lib/python3.N/... for the standard library's (recorded on AWS: LocalStack's test_lambda.snapshot.json,
# TestLambdaErrors::test_lambda_runtime_error, python3.13, 24-11-2025; docs/aws-semantics.md §9), never this machine's.
SHOWN_ROOTS = [
    (TASK_ROOT.rstrip(os.sep) + os.sep, '/var/task/'),
    (os.path.dirname(os.__file__) + os.sep, '/var/lang/lib/python%d.%d/' % sys.version_info[:2]),
]
# bootstrap.py ERROR_LOG_IDENT: the traceback's indentation in the [ERROR] log event is no-break spaces.
ERROR_LOG_IDENT = '\u00a0'
# lambda_runtime_marshaller.py Encoder: these runtimes write non-ASCII characters as they are, older ones escape them.
UNESCAPED_UNICODE_RUNTIMES = {'AWS_Lambda_python3.12', 'AWS_Lambda_python3.13', 'AWS_Lambda_python3.14', 'AWS_Lambda_python3.15'}
# lambda_literals.py lambda_unhandled_exception_warning_message: logged (as a WARNING) before a failed init's error.
UNHANDLED_EXCEPTION_WARNING = (
    'LAMBDA_WARNING: '
    'Unhandled exception. '
    'The most likely cause is an issue in the function code. '
    'However, in rare cases, a Lambda runtime update can cause unexpected function behavior. '
    'For functions using managed runtimes, runtime updates can be triggered by a function change, or can be applied automatically. '
    'To determine if the runtime has been updated, check the runtime version in the INIT_START log entry. '
    'If this error correlates with a change in the runtime version, you may be able to mitigate this error by temporarily rolling back to the previous runtime version. '
    'For more information, see https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html\r'
)
_current_request_id = None


_send_lock = threading.Lock()


def send(message):
    # One message a line; a lock keeps the lines of threads that print at once whole.
    data = (json.dumps(message) + '\n').encode('utf-8')
    with _send_lock:
        _writer.write(data)


def _log_event(text):
    """One log event written by the runtime itself (the telemetry log sink's frame). AWS's has no newline at its end
    when the text has none (docs/aws-semantics.md §3, §9); here one is added, because the runner's LogType=Tail excerpt
    joins events as they are, and AWS's excerpt does end such an event's line (LocalStack TestLambdaDLQ log_result)."""
    send({'type': 'log', 'message': text if text.endswith('\n') else text + '\n'})


def _shown(text):
    """A path, or a text holding paths, as AWS would show it (SHOWN_ROOTS)."""
    for local, shown in SHOWN_ROOTS:
        text = text.replace(local, shown)
    return text


def _memory_used_mb():
    if resource is None:
        return 0
    # ru_maxrss is in kilobytes on Linux.
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


class _LogLines:
    """stdout and stderr: each whole line becomes one log event, sent in order with the invocation's own messages."""

    def __init__(self):
        self._pending = ''
        self._lock = threading.Lock()

    def write(self, text):
        with self._lock:
            lines = (self._pending + text).split('\n')
            self._pending = lines.pop()
        for line in lines:
            send({'type': 'log', 'message': line + '\n'})
        return len(text)

    def flush(self):
        with self._lock:
            rest, self._pending = self._pending, ''
        if rest:
            send({'type': 'log', 'message': rest + '\n'})

    def isatty(self):
        return False


sys.stdout = _LogLines()
sys.stderr = _LogLines()


class _LambdaLoggerHandler(logging.Handler):
    """bootstrap.py LambdaLoggerHandler: each record, formatted, is one log event (one frame of the telemetry log sink)."""

    def emit(self, record):
        send({'type': 'log', 'message': self.format(record)})


class _LambdaLoggerFilter(logging.Filter):
    """bootstrap.py LambdaLoggerFilter: the current request id, or "" outside an invocation (during init)."""

    def filter(self, record):
        record.aws_request_id = _current_request_id or ''
        record.tenant_id = None
        return True


def _setup_logging():
    """bootstrap.py _setup_logging, text format: `[LEVEL]\t<UTC time>\t<request id>\t<message>\n` on the root logger."""
    # The converter is set on the class, as AWS does: every formatter in the function writes UTC times.
    logging.Formatter.converter = time.gmtime
    handler = _LambdaLoggerHandler()
    handler.setFormatter(logging.Formatter('[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n', '%Y-%m-%dT%H:%M:%S'))
    root = logging.getLogger()
    # AWS_LAMBDA_LOG_LEVEL (the function's LoggingConfig.ApplicationLogLevel) sets the root logger's level when given.
    level = (os.environ.get('AWS_LAMBDA_LOG_LEVEL') or '').upper()
    if level in logging._nameToLevel:
        root.setLevel(level)
    handler.addFilter(_LambdaLoggerFilter())
    root.addHandler(handler)


class FaultException(Exception):
    """lambda_runtime_exception.py: a failure of the runtime itself, named Runtime.<Kind>."""

    MARSHAL_ERROR = 'Runtime.MarshalError'
    USER_CODE_SYNTAX_ERROR = 'Runtime.UserCodeSyntaxError'
    HANDLER_NOT_FOUND = 'Runtime.HandlerNotFound'
    IMPORT_MODULE_ERROR = 'Runtime.ImportModuleError'
    BUILT_IN_MODULE_CONFLICT = 'Runtime.BuiltInModuleConflict'
    MALFORMED_HANDLER_NAME = 'Runtime.MalformedHandlerName'
    LAMBDA_CONTEXT_UNMARSHAL_ERROR = 'Runtime.LambdaContextUnmarshalError'

    def __init__(self, exception_type, msg, trace=None):
        super().__init__(msg)
        self.msg = msg
        self.exception_type = exception_type
        self.trace = trace


class CognitoIdentity(object):
    __slots__ = ['cognito_identity_id', 'cognito_identity_pool_id']

    def __repr__(self):
        return f'{self.__class__.__name__}([cognito_identity_id={self.cognito_identity_id},cognito_identity_pool_id={self.cognito_identity_pool_id}])'


class Client(object):
    __slots__ = ['installation_id', 'app_title', 'app_version_name', 'app_version_code', 'app_package_name']

    def __repr__(self):
        return (
            f'{self.__class__.__name__}([installation_id={self.installation_id},app_title={self.app_title},'
            f'app_version_name={self.app_version_name},app_version_code={self.app_version_code},'
            f'app_package_name={self.app_package_name}])'
        )


class ClientContext(object):
    __slots__ = ['custom', 'env', 'client']

    def __repr__(self):
        return f'{self.__class__.__name__}([custom={self.custom},env={self.env},client={self.client}])'


def _make_obj_from_dict(cls, values):
    """lambda_context.py make_obj_from_dict: None stays None; otherwise every slot, None where the dict lacks it."""
    if values is None:
        return None
    obj = cls()
    for field in cls.__slots__:
        setattr(obj, field, values.get(field, None))
    return obj


class LambdaContext(object):
    """lambda_context.py LambdaContext: the same attributes, read from the same variables (memory_limit_in_mb is a string)."""

    def __init__(self, invoke_id, client_context, cognito_identity, epoch_deadline_time_in_ms, invoked_function_arn=None, tenant_id=None):
        self.aws_request_id = invoke_id
        self.log_group_name = os.environ.get('AWS_LAMBDA_LOG_GROUP_NAME')
        self.log_stream_name = os.environ.get('AWS_LAMBDA_LOG_STREAM_NAME')
        self.function_name = os.environ.get('AWS_LAMBDA_FUNCTION_NAME')
        self.memory_limit_in_mb = os.environ.get('AWS_LAMBDA_FUNCTION_MEMORY_SIZE')
        self.function_version = os.environ.get('AWS_LAMBDA_FUNCTION_VERSION')
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id
        self.client_context = _make_obj_from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = _make_obj_from_dict(Client, self.client_context.client)
        # An identity object even when the call carried none, its attributes None.
        self.identity = _make_obj_from_dict(CognitoIdentity, {})
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get('cognitoIdentityId')
            self.identity.cognito_identity_pool_id = cognito_identity.get('cognitoIdentityPoolId')
        self._epoch_deadline_time_in_ms = epoch_deadline_time_in_ms

    def get_remaining_time_in_millis(self):
        delta_ms = self._epoch_deadline_time_in_ms - int(time.time() * 1000)
        return delta_ms if delta_ms > 0 else 0

    def log(self, msg):
        # Straight to the log sink: one event.
        _log_event(str(msg))

    def __repr__(self):
        return (
            f'{self.__class__.__name__}(['
            f'aws_request_id={self.aws_request_id},'
            f'log_group_name={self.log_group_name},'
            f'log_stream_name={self.log_stream_name},'
            f'function_name={self.function_name},'
            f'memory_limit_in_mb={self.memory_limit_in_mb},'
            f'function_version={self.function_version},'
            f'invoked_function_arn={self.invoked_function_arn},'
            f'client_context={self.client_context},'
            f'identity={self.identity},'
            f'tenant_id={self.tenant_id}'
            '])'
        )


def _client_context(encoded):
    """bootstrap.py parse_json_header. X-Amz-Client-Context is base64 JSON; the runtime is handed the JSON."""
    if not encoded:
        return None
    import base64

    try:
        return json.loads(base64.b64decode(encoded))
    except Exception as e:
        raise FaultException(FaultException.LAMBDA_CONTEXT_UNMARSHAL_ERROR, 'Unable to parse Client Context JSON: {}'.format(str(e)), None)


def make_error(error_message, error_type, stack_trace, invoke_id=None):
    """bootstrap.py make_error: the invoke response body, these keys in this order (docs/aws-semantics.md §1.5)."""
    return {
        'errorMessage': error_message if error_message else '',
        'errorType': error_type if error_type else '',
        'requestId': invoke_id if invoke_id is not None else '',
        'stackTrace': stack_trace if stack_trace else [],
    }


def _stack_trace(tb):
    """bootstrap.py extract_traceback and the frame skipping of handle_event_request/build_fault_result: the leading
    frames of the runtime (a path holding /bootstrap.py) are dropped, and the rest formatted from plain tuples (so no
    ^^^ position markers), with the paths AWS shows."""
    frames = [(_shown(f.filename), f.lineno, f.name, f.line) for f in traceback.extract_tb(tb)]
    for i in range(len(frames)):
        if '/bootstrap.py' not in frames[i][0]:
            frames = frames[i:]
            break
    return traceback.format_list(frames)


def _fault_result(error, invoke_id=None):
    return make_error(str(error), type(error).__name__, _stack_trace(error.__traceback__), invoke_id)


def _replace_line_indentation(line, indent_char, new_indent_char):
    count = 0
    for c in line:
        if c != indent_char:
            break
        count += 1
    return (new_indent_char * count) + line[count:]


def _log_error(error_result):
    """bootstrap.py log_error, text format: `[ERROR] <type>: <message>`, then `Traceback (most recent call last):` whenever
    there is a stackTrace (an empty one too) and its lines with the indentation in U+00A0, joined by newlines into one
    event (FramedTelemetryLogSink.log_error; docs/aws-semantics.md §3)."""
    description = '[ERROR]'
    error_type = error_result.get('errorType')
    if error_type:
        description += ' ' + error_type
    error_message = error_result.get('errorMessage')
    if error_message:
        if error_type:
            description += ':'
        description += ' ' + error_message
    lines = [description]
    stack_trace = error_result.get('stackTrace')
    if stack_trace is not None:
        lines.append('Traceback (most recent call last):')
        for element in stack_trace:
            if element == '':
                lines.append('')
            else:
                lines.extend(_replace_line_indentation(line, ' ', ERROR_LOG_IDENT) for line in element.splitlines())
    _log_event('\n'.join(lines))


def _get_handler(handler):
    """bootstrap.py _get_handler: the handler, or a FaultException with AWS's type and words."""
    try:
        modname, fname = handler.rsplit('.', 1)
    except ValueError as e:
        raise FaultException(FaultException.MALFORMED_HANDLER_NAME, "Bad handler '{}': {}".format(handler, str(e)))
    try:
        if modname.split('.')[0] in sys.builtin_module_names:
            raise FaultException(FaultException.BUILT_IN_MODULE_CONFLICT, 'Cannot use built-in module {} as a handler module'.format(modname))
        module = importlib.import_module(modname.replace('/', '.'))
    except ImportError as e:
        # Any ImportError, a missing dependency's ModuleNotFoundError or a failed `from x import y` alike.
        raise FaultException(FaultException.IMPORT_MODULE_ERROR, "Unable to import module '{}': {}".format(modname, _shown(str(e))))
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (_shown(e.filename or ''), e.lineno, e.text)]
        raise FaultException(FaultException.USER_CODE_SYNTAX_ERROR, "Syntax error in module '{}': {}".format(modname, str(e)), trace)
    try:
        return getattr(module, fname)
    except AttributeError:
        raise FaultException(FaultException.HANDLER_NOT_FOUND, "Handler '{}' missing on module '{}'".format(fname, modname), None)


class _Encoder(json.JSONEncoder):
    """lambda_runtime_marshaller.py Encoder (simplejson there): a Decimal is written as the number it is (NaN as NaN).
    The standard library cannot write raw JSON, so a Decimal goes out as a placeholder string swapped back afterwards."""

    def __init__(self, placeholders):
        super().__init__(ensure_ascii=os.environ.get('AWS_EXECUTION_ENV') not in UNESCAPED_UNICODE_RUNTIMES, allow_nan=True)
        self._placeholders = placeholders

    def default(self, obj):
        # A Decimal's module is loaded if a Decimal exists: no import at start-up for it.
        decimal = sys.modules.get('decimal')
        if decimal is not None and isinstance(obj, decimal.Decimal):
            if obj.is_nan():
                return float('nan')
            token = 'decimal-%s-%d' % (os.urandom(16).hex(), len(self._placeholders))
            self._placeholders['"%s"' % token] = str(obj)
            return token
        # simplejson's words for anything else: "Object of type <name> is not JSON serializable".
        raise TypeError('Object of type %s is not JSON serializable' % obj.__class__.__name__)


def _marshal_response(response):
    """lambda_runtime_marshaller.py marshal_response: bytes go out as they are, anything else as JSON, or MarshalError."""
    if isinstance(response, bytes):
        # UNVERIFIED beyond UTF-8: the IPC message carries text, so bytes that are not UTF-8 get U+FFFD where AWS
        # would pass them through untouched.
        return response.decode('utf-8', errors='replace')
    try:
        placeholders = {}
        text = _Encoder(placeholders).encode(response)
        for token, number in placeholders.items():
            text = text.replace(token, number)
        return text
    except Exception as e:
        raise FaultException(FaultException.MARSHAL_ERROR, 'Unable to marshal response: {}'.format(str(e)), None)


def _thread_excepthook(args):
    """threading's default report of an exception that ends a thread (to stderr, so the log; the invocation goes on),
    with the paths AWS would show."""
    if args.exc_type is SystemExit:
        return
    name = args.thread.name if args.thread is not None else threading.get_ident()
    text = ''.join(traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback))
    sys.stderr.write('Exception in thread {}:\n{}'.format(name, _shown(text)))
    sys.stderr.flush()


def _flush_output():
    sys.stdout.flush()
    sys.stderr.flush()


def _handle_event_request(handler, message):
    """bootstrap.py handle_event_request: the context, the event, the handler and its marshalled result, or the error
    (a SystemExit is no Exception: it ends the runtime, and the platform reports the exit)."""
    invoke_id = message['requestId']
    error_result = None
    try:
        context = LambdaContext(invoke_id, _client_context(message.get('clientContext')), None, message['deadline'], message.get('invokedFunctionArn'))
        event = json.loads(message['payload'])
        response = handler(event, context)
        result = _marshal_response(response)
    except FaultException as e:
        error_result = make_error(e.msg, e.exception_type, e.trace, invoke_id)
    except Exception as e:
        error_result = _fault_result(e, invoke_id)
    _flush_output()
    if error_result is not None:
        _log_error(error_result)
        send({'type': 'failure', 'requestId': invoke_id, 'error': error_result, 'memoryUsedMb': _memory_used_mb()})
    else:
        send({'type': 'result', 'requestId': invoke_id, 'payload': result, 'memoryUsedMb': _memory_used_mb()})


def _messages():
    while True:
        message = _next_message()
        if message is None:
            return
        yield message


def main():
    global _current_request_id
    sys.path.insert(0, TASK_ROOT)
    threading.excepthook = _thread_excepthook
    _setup_logging()
    warning = os.environ.pop('LAMBDA_ASYNC_DEMO_RUNTIME_WARNING', '')
    if warning:
        send({'type': 'log', 'message': warning + '\n'})
    init_error = None
    try:
        handler = _get_handler(HANDLER)
    except FaultException as e:
        init_error = make_error(e.msg, e.exception_type, e.trace)
    except Exception as e:
        init_error = _fault_result(e)
    _flush_output()
    if init_error is not None:
        # bootstrap.py run(): the warning, then the error. AWS's runtime then exits with status 1; here the runner
        # answers the first invocation with the init error and replaces the environment itself.
        logging.warning(UNHANDLED_EXCEPTION_WARNING)
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
        _handle_event_request(handler, message)


try:
    main()
finally:
    # sys.exit() in a handler ends the runtime, as on AWS; a last line printed without its newline still reaches the log.
    try:
        _flush_output()
    except Exception:
        pass
