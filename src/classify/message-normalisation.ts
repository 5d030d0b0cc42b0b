/**
 * What a failure signature leaves out of a message: the details that change from run to run.
 * The rules are data, applied in order (docs/signatures.md lists them with examples); each
 * replaces what it matches with a placeholder in angle brackets, so later rules (numbers above
 * all) leave it alone.
 */
export interface NormalisationRule {
  name: string;
  pattern: RegExp;
  replacement: string;
  doc: string;
}

/** The placeholders the rules write, for whoever reads normalised text back (rule suggestions). */
export const PLACEHOLDERS = ['<tmp>', '<uuid>', '<timestamp>', '<date>', '<time>', '<ip>', '<port>', '<hex>', '<pid>', '<thread>', '<size>', '<duration>', '<n>', '[…]', '{…}'] as const;

export const NORMALISATION_RULES: readonly NormalisationRule[] = [
  {
    name: 'pytest-tmp',
    pattern: /\/tmp\/pytest-of-[^/\s'"]+\/pytest-(?:\d+|current)(?:\/popen-gw\d+)?(?:\/[^/\s'"():,]+)?/g,
    replacement: '<tmp>',
    doc: "pytest's per-run temporary folders and the test's folder in them: /tmp/pytest-of-root/pytest-336/test_x0",
  },
  {
    name: 'tempfile',
    pattern: /\/(?:var\/)?tmp\/tmp[a-z0-9_]{8}\b/g,
    replacement: '<tmp>',
    doc: "Python tempfile's random names: /tmp/tmpk2j3h4_x",
  },
  {
    name: 'uuid',
    pattern: /\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b/g,
    replacement: '<uuid>',
    doc: 'UUIDs (request ids, run ids): 5f7287e5-2203-46b5-9dcf-e03db5035a99',
  },
  {
    name: 'timestamp',
    pattern: /\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?\b/g,
    replacement: '<timestamp>',
    doc: 'dates with a time, ISO 8601 or logging style: 2026-02-04T12:34:56.789Z, 2026-02-04 12:34:56,789',
  },
  {
    name: 'date',
    pattern: /\b\d{4}-\d{2}-\d{2}\b/g,
    replacement: '<date>',
    doc: 'dates alone: 2026-02-04',
  },
  {
    name: 'time',
    pattern: /\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b/g,
    replacement: '<time>',
    doc: 'times of day: 17:49:18, 05:17:27.123',
  },
  {
    name: 'ip',
    pattern: /\b\d{1,3}(?:\.\d{1,3}){3}\b/g,
    replacement: '<ip>',
    doc: 'IPv4 addresses (containers get new ones every run): 172.17.0.3',
  },
  {
    name: 'port',
    pattern: /(\blocalhost|<ip>)(:)\d{1,5}\b|\b(port)([=\s])\d{1,5}\b/g,
    replacement: '$1$2$3$4<port>',
    doc: 'ports after a local host or the word port: localhost:36731, 127.0.0.1:8000, port=443',
  },
  {
    name: 'hex-address',
    pattern: /\b0x[0-9a-fA-F]+\b/g,
    replacement: '0x<hex>',
    doc: 'memory addresses and other hex literals: <Foo object at 0x7f73dcfe5210>, Current thread 0x00007f4a…',
  },
  {
    name: 'hex-id',
    pattern: /\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{8,}\b/g,
    replacement: '<hex>',
    doc: 'lower-case hex ids of 8 or more digits with a letter and a digit (container ids, hashes, leases): 3f2a9c01d4e5',
  },
  {
    name: 'pid',
    pattern: /\b(pid|PID|process)(\s*[=:]?\s*)\d+\b/g,
    replacement: '$1$2<pid>',
    doc: 'process ids after pid or process: pid 1234, pid=8',
  },
  {
    name: 'thread',
    pattern: /\b(thread|Thread|ident|tid)(\s*[=:]?\s*)\d{4,}\b/g,
    replacement: '$1$2<thread>',
    doc: 'thread idents: on thread 140135626006592',
  },
  {
    name: 'size',
    pattern: /\b\d+(?:\.\d+)?\s?(?:[KMGTP]i?B|bytes?)\b/g,
    replacement: '<size>',
    doc: 'sizes with a unit: 512MB, 1.5 GiB, 4096 bytes',
  },
  {
    name: 'duration',
    pattern: /\b\d+(?:\.\d+)?\s?(?:ns|us|µs|ms|s|secs?|seconds?|m|mins?|minutes?|h|hours?)\b/g,
    replacement: '<duration>',
    doc: 'durations with a unit: 0.311s, 90.0s, 15m, 30 seconds',
  },
  {
    name: 'xdist-worker',
    pattern: /\bgw\d+\b/g,
    replacement: 'gw<n>',
    doc: "pytest-xdist worker names, which differ from run to run: gw3",
  },
  {
    name: 'number',
    pattern: /(?<![\w.])\d+(?:\.\d+)?(?!\w|\.\d)/g,
    replacement: '<n>',
    doc: 'any other number standing alone (counts, ids, line numbers); digits inside a word (Qwen3, test_a1) and version numbers (3.11.2) stay',
  },
  {
    name: 'list',
    pattern: /\[(?:[\s,:()]*<(?:n|hex|uuid|ip|port|pid|thread|size|duration|tmp)>)+[\s,:()]*\]/g,
    replacement: '[…]',
    doc: 'lists of nothing but value placeholders, whatever their length: [(<n>, <n>), (<n>, <n>)] (a bracketed <timestamp> stays)',
  },
  {
    name: 'set',
    pattern: /\{(?:[\s,:()]*<(?:n|hex|uuid|ip|port|pid|thread|size|duration|tmp)>)+[\s,:()]*\}/g,
    replacement: '{…}',
    doc: 'sets and dicts of nothing but placeholders: {<n>, <n>}',
  },
  {
    name: 'space',
    pattern: /\s+/g,
    replacement: ' ',
    doc: 'runs of white space, which column alignment changes',
  },
];

/** Longest normalised message kept in a signature: room for urllib3's "Caused by …" at the end of requests' errors. */
export const MAX_NORMALISED = 400;

/** A message with the run-specific details replaced by placeholders, trimmed and cut to MAX_NORMALISED. */
export function normaliseMessage(message: string): string {
  let text = message;
  for (const rule of NORMALISATION_RULES) text = text.replace(rule.pattern, rule.replacement);
  text = text.trim();
  return text.length > MAX_NORMALISED ? text.slice(0, MAX_NORMALISED) : text;
}
