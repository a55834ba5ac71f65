#!/usr/bin/env python3
"""Copies the recorded AWS responses test/fidelity relies on out of LocalStack's AWS-validated snapshot files.

Run: python3 test/fidelity/recordings/extract.py /work/.mirror/localstack+localstack/repo
Each output file names its source repository, commit, file, test and recording date; only the entries used are kept.
"""
import json
import os
import subprocess
import sys

REPO = sys.argv[1] if len(sys.argv) > 1 else '/work/.mirror/localstack+localstack/repo'
HERE = os.path.dirname(os.path.abspath(__file__))

# output file -> list of (snapshot file, test id, [entry names])
WANTED = {
    'lambda-errors.json': [
        ('tests/aws/services/lambda_/test_lambda.snapshot.json', 'TestLambdaFeatures::test_invoke_exceptions', ['invoke_function_doesnotexist']),
        ('tests/aws/services/lambda_/test_lambda_api.snapshot.json', 'TestLambdaFunction::test_ops_on_nonexisting_fn[get_function]', ['not_found_exception']),
        ('tests/aws/services/lambda_/test_lambda_api.snapshot.json', 'TestLambdaFunction::test_ops_on_nonexisting_fn[get_function_event_invoke_config]', ['not_found_exception']),
        ('tests/aws/services/lambda_/test_lambda_api.snapshot.json', 'TestLambdaFunction::test_function_name_and_qualifier_validation[invalid_characters_in_qualifier-get_function]', ['get_function_exception']),
        ('tests/aws/services/lambda_/test_lambda_api.snapshot.json', 'TestLambdaFunction::test_function_name_and_qualifier_validation[invalid_characters_in_qualifier-invoke]', ['invoke_exception']),
        ('tests/aws/services/lambda_/test_lambda_api.snapshot.json', 'TestLambdaFunction::test_function_name_and_qualifier_validation[invalid_characters_in_function_name-get_function]', ['get_function_exception']),
        ('tests/aws/services/lambda_/test_lambda_api.snapshot.json', 'TestLambdaFunction::test_function_name_and_qualifier_validation[function_name_too_long-get_function]', ['get_function_exception']),
        ('tests/aws/services/cloudformation/resources/test_lambda.snapshot.json', 'TestCfnLambdaIntegrations::test_cfn_lambda_permissions', ['get_function_result']),
        ('tests/aws/services/lambda_/test_lambda_api.snapshot.json', 'TestLambdaEventInvokeConfig::test_lambda_eventinvokeconfig_exceptions', ['put_destination_lambda_doesntexist', 'put_destination_invalid_service_arn', 'put_functionname_name_notfound']),
    ],
    'lambda-invoke.json': [
        ('tests/aws/services/lambda_/test_lambda.snapshot.json', 'TestLambdaFeatures::test_invocation_type_no_return_payload[nodejs-Event]', ['invoke-result']),
        ('tests/aws/services/lambda_/test_lambda.snapshot.json', 'TestLambdaFeatures::test_invocation_type_no_return_payload[nodejs-RequestResponse]', ['invoke-result']),
        ('tests/aws/services/lambda_/test_lambda.snapshot.json', 'TestLambdaErrors::test_lambda_handler_error', ['invocation_error']),
        ('tests/aws/services/lambda_/test_lambda.snapshot.json', 'TestRequestIdHandling::test_request_id_invoke', ['log_entries']),
        ('tests/aws/services/lambda_/test_lambda.snapshot.json', 'TestLambdaFeatures::test_invocation_type_event_error', ['log_events']),
        ('tests/aws/services/lambda_/test_lambda.snapshot.json', 'TestLambdaFeatures::test_invocation_with_qualifier', ['log_result']),
        ('tests/aws/services/lambda_/test_lambda_destinations.snapshot.json', 'TestLambdaDLQ::test_dead_letter_queue', ['receive_result', 'invoke_result', 'log_result']),
    ],
    'sqs.json': [
        ('tests/aws/services/sqs/test_sqs.snapshot.json', 'TestSqsProvider::test_send_message_with_empty_string_attribute[sqs]', ['empty-string-attr']),
        ('tests/aws/services/sqs/test_sqs.snapshot.json', 'TestSqsProvider::test_send_message_with_empty_string_attribute[sqs_query]', ['empty-string-attr']),
        ('tests/aws/services/sqs/test_sqs.snapshot.json', 'TestSqsProvider::test_receive_message_message_attribute_names_filters[sqs]', None),
        ('tests/aws/services/sqs/test_sqs.snapshot.json', 'TestSqsProvider::test_receive_message_message_attribute_names_filters[sqs_query]', None),
        ('tests/aws/services/sqs/test_sqs.snapshot.json', 'TestSqsProvider::test_send_receive_max_number_of_messages[sqs_query]', ['send_max_number_of_messages']),
    ],
    'logs.json': [
        ('tests/aws/services/logs/test_logs_filter_events.snapshot.json', 'TestFilterLogEvents::test_filter_log_events_limit_validation', ['error-limit-exceeded']),
        ('tests/aws/services/logs/test_logs_filter_events.snapshot.json', 'TestFilterLogEvents::test_filter_log_events_unknown_token', ['invalid-token']),
        ('tests/aws/services/logs/test_logs_groups.snapshot.json', 'TestLogsGroups::test_create_log_group_duplicate_error', ['error-duplicate-log-group']),
    ],
    'cloudformation.json': [
        ('tests/aws/services/cloudformation/test_change_sets.snapshot.json', 'test_list_change_sets', ['change-sets']),
        ('tests/aws/services/cloudformation/api/test_stacks.snapshot.json', 'TestStacksApi::test_stack_description_lifecycle[no-tags]', ['change-set-pre-execute', 'stack-pre-execute', 'stack-post-execute']),
        ('tests/aws/services/cloudformation/api/test_stacks.snapshot.json', 'TestStacksApi::test_stack_lifecycle', ['deleted']),
        ('tests/aws/services/cloudformation/api/test_changesets.snapshot.json', 'test_delete_change_set_exception', ['e1', 'e2']),
        ('tests/aws/services/cloudformation/api/test_changesets.snapshot.json', 'test_describe_change_set_nonexisting', ['exception']),
        ('tests/aws/services/cloudformation/api/test_changesets.snapshot.json', 'test_describe_changeset_after_delete', ['describe-deleted-cs']),
    ],
}


def git(*args: str) -> str:
    return subprocess.run(['git', '-C', REPO, *args], check=True, capture_output=True, text=True).stdout


commit = git('rev-parse', 'HEAD').strip()
for out_name, picks in WANTED.items():
    recordings = []
    for path, test, entries in picks:
        snapshot = json.loads(git('show', f'HEAD:{path}'))
        test_file = path.replace('.snapshot.json', '.py')
        key = f'{test_file}::{test}'
        recorded = snapshot[key]
        content = recorded['recorded-content']
        recordings.append({
            'source': {
                'repository': 'localstack/localstack',
                'commit': commit,
                'file': path,
                'test': key,
                'recordedDate': recorded['recorded-date'],
            },
            'entries': content if entries is None else {name: content[name] for name in entries},
        })
    with open(os.path.join(HERE, out_name), 'w') as handle:
        json.dump(recordings, handle, indent=2, ensure_ascii=False)
        handle.write('\n')
    print(out_name, sum(len(r['entries']) for r in recordings), 'entries')
