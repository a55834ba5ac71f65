// The lesson's CloudFormation template, as it ships in the package (templates/LambdaAsync.yaml).
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { environmentError } from '../errors.js';

export const TEMPLATE_PATH = fileURLToPath(new URL('../../templates/LambdaAsync.yaml', import.meta.url));

export async function readTemplate(path: string = TEMPLATE_PATH): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw environmentError(`Cannot read the lesson's template at ${path}.`, 'Reinstall the package (npm install).', error);
  }
}
