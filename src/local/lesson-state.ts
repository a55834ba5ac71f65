// What the per-step commands remember between processes: step 3's and step 4's invokes, per target/endpoint/region/stack.
import { join } from 'node:path';
import type { Target } from '../aws/clients.js';
import type { AsyncInvoke } from '../lesson/context.js';
import { readJson, writeJsonAtomically } from './json-file.js';

const LESSON_STATE_FILE = 'lesson-state.json';
const FORMAT = 'lambda-async-demo-lesson';
const VERSION = 1;

/** One walk through the lesson on one stack. */
export interface RecordedLesson {
  /** Tags every payload of this walk, as `run` tags its own (so old logs and DLQ messages are never counted). */
  runId: string;
  /** Step 3. */
  asyncOk?: AsyncInvoke;
  /** Step 4 (with its payload, which step 6 compares byte for byte). */
  asyncFail?: AsyncInvoke;
  /** ISO 8601, for people reading the file. */
  updatedAt: string;
}

interface LessonStateFile {
  format: typeof FORMAT;
  version: typeof VERSION;
  lessons: Record<string, RecordedLesson>;
}

/** Where a lesson ran: the same stack name on AWS and on the local server are different lessons. */
export interface LessonPlace {
  target: Target;
  /** The endpoint URL; undefined means AWS's own endpoints. */
  endpoint?: string;
  region: string;
  stackName: string;
}

function lessonKey(place: LessonPlace): string {
  return [place.target, place.endpoint ?? 'aws', place.region, place.stackName].join(' ');
}

function isAsyncInvoke(value: unknown): value is AsyncInvoke {
  const invoke = value as Partial<AsyncInvoke> | undefined;
  return (
    typeof invoke === 'object' &&
    invoke !== null &&
    typeof invoke.requestId === 'string' &&
    typeof invoke.invokedAt === 'number' &&
    typeof invoke.payload === 'string'
  );
}

export class LessonState {
  readonly path: string;

  constructor(stateDir: string) {
    this.path = join(stateDir, LESSON_STATE_FILE);
  }

  /** Every lesson in the file; a missing, foreign or garbled file reads as none (it only holds RequestIds). */
  private readAll(): Record<string, RecordedLesson> {
    const file = readJson(this.path) as Partial<LessonStateFile> | undefined;
    if (!file || file.format !== FORMAT || file.version !== VERSION || typeof file.lessons !== 'object' || !file.lessons) return {};
    const lessons: Record<string, RecordedLesson> = {};
    for (const [key, lesson] of Object.entries(file.lessons)) {
      if (typeof lesson?.runId !== 'string') continue;
      lessons[key] = {
        runId: lesson.runId,
        updatedAt: String(lesson.updatedAt ?? ''),
        ...(isAsyncInvoke(lesson.asyncOk) ? { asyncOk: lesson.asyncOk } : {}),
        ...(isAsyncInvoke(lesson.asyncFail) ? { asyncFail: lesson.asyncFail } : {}),
      };
    }
    return lessons;
  }

  private writeAll(lessons: Record<string, RecordedLesson>): void {
    const file: LessonStateFile = { format: FORMAT, version: VERSION, lessons };
    writeJsonAtomically(this.path, file);
  }

  get(place: LessonPlace): RecordedLesson | undefined {
    return this.readAll()[lessonKey(place)];
  }

  /** Applies `change` to this place's lesson (a new one with `newRunId` when there is none) and saves the file. */
  update(place: LessonPlace, newRunId: string, change: (lesson: RecordedLesson) => void): RecordedLesson {
    const lessons = this.readAll();
    const key = lessonKey(place);
    const lesson = lessons[key] ?? { runId: newRunId, updatedAt: '' };
    change(lesson);
    lesson.updatedAt = new Date().toISOString();
    lessons[key] = lesson;
    this.writeAll(lessons);
    return lesson;
  }

  /** Forgets this place's lesson (after a teardown, or a fresh deploy: its RequestIds name a function that is gone). */
  forget(place: LessonPlace): void {
    const lessons = this.readAll();
    const key = lessonKey(place);
    if (!(key in lessons)) return;
    delete lessons[key];
    this.writeAll(lessons);
  }
}
