// Reading Lambda's platform lines: the one definition of what a START line is (docs/aws-semantics.md §3).

/** `START RequestId: <id> Version: $LATEST`: one per attempt, so its count per RequestId counts Lambda's attempts. */
const START_LINE = /^START RequestId: (\S+)/;

/** The RequestId a START line opens, or undefined for any other line (INIT_START included). */
export function startedRequestId(message: string | undefined): string | undefined {
  return START_LINE.exec(message ?? '')?.[1];
}
