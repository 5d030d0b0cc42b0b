import { createHash } from 'node:crypto';

import { normaliseMessage } from './message-normalisation.js';

/** What a signature is made of (see docs/signatures.md). */
export interface SignatureParts {
  /** The exception type, or what ended the process (`SIGABRT`, `hang`); null when unknown. */
  type: string | null;
  /** Where it was raised: `file::function` of the innermost frame in the test's own code; null when unknown. */
  location: string | null;
  /** The first line of the message, as printed (a leading `Type: ` is dropped). */
  message: string;
}

export interface Signature {
  signature: string;
  signatureText: string;
}

/** Hex digits of the SHA-256 kept: 48 bits, no collision in any realistic number of ways of failing. */
const ID_LENGTH = 12;

/** The message without the exception type it starts with (`KeyError: 'a'` → `'a'`). */
export function withoutTypePrefix(message: string, type: string | null): string {
  if (type === null) return message;
  if (message === type) return '';
  return message.startsWith(`${type}: `) ? message.slice(type.length + 2) : message;
}

export function signatureOf(parts: SignatureParts): Signature {
  const message = normaliseMessage(withoutTypePrefix(parts.message, parts.type));
  const signatureText = `${parts.type ?? '-'} | ${parts.location ?? '-'} | ${message}`;
  const signature = createHash('sha256').update(signatureText).digest('hex').slice(0, ID_LENGTH);
  return { signature, signatureText };
}
