// Code.Location: presigned-style URLs for a function's deployment package, and checking one when it is fetched.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { EmulatorContext } from '../../context.js';
import { ServiceError } from '../../errors.js';
import { packageOf, type StoredFunction } from './configuration.js';

/** The signed parts of a Code.Location URL, as the binding reads them back from the query. */
export interface CodePackageRequest {
  functionName: string;
  amzDate: string;
  expiresSeconds: string;
  signature: string;
}

/** Where the emulator serves function packages; the rest of the path is the function name. */
export const LAMBDA_CODE_PATH = '/_emulator/lambda-code/';

/** How long a Code.Location URL is good for: AWS's presigned package URLs say X-Amz-Expires=600. */
const CODE_URL_EXPIRES_SECONDS = 600;

/** Issues and checks Code.Location URLs with a key that lives as long as the process. */
export class CodePackages {
  /** Signs Code.Location URLs: only URLs this process handed out open a package (a restart invalidates them). */
  private readonly key = randomBytes(32);

  constructor(private readonly ctx: EmulatorContext) {}

  // AWS hands out a presigned S3 URL, good for 10 minutes; here a URL of the same shape on the emulator itself, signed
  // with a key only this process knows, over the function and its code's hash (an update invalidates older URLs).
  location(stored: StoredFunction): string {
    const name = stored.configuration.FunctionName!;
    const amzDate = new Date(this.ctx.now()).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const expires = String(CODE_URL_EXPIRES_SECONDS);
    const query = new URLSearchParams({
      'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
      'X-Amz-Date': amzDate,
      'X-Amz-SignedHeaders': 'host',
      'X-Amz-Expires': expires,
      'X-Amz-Credential': `LAMBDAASYNCDEMO/${amzDate.slice(0, 8)}/${this.ctx.region}/s3/aws4_request`,
      'X-Amz-Signature': this.signature(stored, amzDate, expires),
    });
    return `${this.ctx.baseUrl()}${LAMBDA_CODE_PATH}${encodeURIComponent(name)}?${query}`;
  }

  private signature(stored: StoredFunction, amzDate: string, expires: string): string {
    const material = [stored.configuration.FunctionName, stored.configuration.CodeSha256, amzDate, expires].join('\n');
    return createHmac('sha256', this.key).update(material).digest('hex');
  }

  /**
   * The zip a Code.Location URL names, holding the inline code as the runtime's file. Refused (403, as S3 refuses a
   * presigned URL) unless this process signed exactly that URL and it has not expired.
   */
  open(request: CodePackageRequest, stored: StoredFunction | undefined): Buffer {
    const expected = stored ? Buffer.from(this.signature(stored, request.amzDate, request.expiresSeconds), 'hex') : undefined;
    const given = Buffer.from(/^[0-9a-f]{64}$/.test(request.signature) ? request.signature : '', 'hex');
    if (!stored || !expected || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new ServiceError(
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
        { status: 403 },
      );
    }
    const issued = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(request.amzDate);
    const issuedAt = issued ? Date.UTC(+issued[1]!, +issued[2]! - 1, +issued[3]!, +issued[4]!, +issued[5]!, +issued[6]!) : NaN;
    if (!(this.ctx.now() <= issuedAt + Number(request.expiresSeconds) * 1000)) {
      throw new ServiceError('AccessDenied', 'Request has expired', { status: 403 });
    }
    return packageOf(stored.configuration.Runtime ?? '', stored.code);
  }
}
