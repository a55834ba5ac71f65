// SQS's checksums: MD5OfBody and the length-prefixed MD5OfMessageAttributes that the Java, .NET and PHP SDKs verify.
import { createHash } from 'node:crypto';

/** A message attribute as it travels in JSON 1.0: binary values are base64 text. */
export interface WireMessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
  StringListValues?: string[];
  BinaryListValues?: string[];
}

export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

function lengthPrefixed(bytes: Buffer): Buffer[] {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length, 0);
  return [length, bytes];
}

// Transport bytes of docs/aws-semantics.md §5.4: 1 string/number, 2 binary, 3 string list, 4 binary list.
const STRING_TRANSPORT = 1;
const BINARY_TRANSPORT = 2;
const STRING_LIST_TRANSPORT = 3;
const BINARY_LIST_TRANSPORT = 4;

/**
 * MD5OfMessageAttributes exactly as docs/aws-semantics.md §5.4: names sorted ordinally (uppercase before
 * lowercase, so no localeCompare), each of name, DataType and value 4-byte big-endian length-prefixed, a transport
 * byte before the value, binary values hashed as raw bytes. Undefined when there is nothing to hash, because SDKs
 * reject a digest sent for no attributes (docs/aws-semantics.md §7 item 3).
 */
export function md5OfMessageAttributes(attributes: Record<string, WireMessageAttribute> | undefined): string | undefined {
  if (!attributes) return undefined;
  const names = Object.keys(attributes).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  for (const name of names) {
    const attribute = attributes[name]!;
    for (const part of lengthPrefixed(Buffer.from(name, 'utf8'))) hash.update(part);
    for (const part of lengthPrefixed(Buffer.from(attribute.DataType, 'utf8'))) hash.update(part);
    if (attribute.StringValue !== undefined) {
      hash.update(Buffer.of(STRING_TRANSPORT));
      for (const part of lengthPrefixed(Buffer.from(attribute.StringValue, 'utf8'))) hash.update(part);
    } else if (attribute.BinaryValue !== undefined) {
      hash.update(Buffer.of(BINARY_TRANSPORT));
      for (const part of lengthPrefixed(Buffer.from(attribute.BinaryValue, 'base64'))) hash.update(part);
    } else if (attribute.StringListValues !== undefined) {
      hash.update(Buffer.of(STRING_LIST_TRANSPORT));
      for (const value of attribute.StringListValues) {
        for (const part of lengthPrefixed(Buffer.from(value, 'utf8'))) hash.update(part);
      }
    } else if (attribute.BinaryListValues !== undefined) {
      hash.update(Buffer.of(BINARY_LIST_TRANSPORT));
      for (const value of attribute.BinaryListValues) {
        for (const part of lengthPrefixed(Buffer.from(value, 'base64'))) hash.update(part);
      }
    }
  }
  return hash.digest('hex');
}
