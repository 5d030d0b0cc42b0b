import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

import shellQuote from 'shell-quote';

import { parseDuration } from '../core/durations.js';
import { UsageError } from '../core/errors.js';
import type { GpuRequest, MountSpec, Ulimit } from '../executors/executor.js';

/**
 * Parsers of run option values, from a flag (a string, or strings for repeatable flags) or a config
 * file (any JSON value). Each turns bad input into a UsageError naming the flag and the fix.
 */

export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Splits a command line into words like a shell would, but runs nothing and expands nothing. */
export function splitWords(text: string, flag: string): string[] {
  const words = shellQuote.parse(text, (name) => `$${name}`);
  return words.map((word) => {
    if (typeof word !== 'string') {
      throw new UsageError(`${flag} ${JSON.stringify(text)} contains shell syntax (${JSON.stringify(word)}); it is not run by a shell: pass plain arguments, or wrap it as "bash -c '…'" yourself`);
    }
    return word;
  });
}

/** Words of a command line given as one string (split like a shell) or as an array (taken as is). */
export function words(value: unknown, flag: string): string[] | null {
  if (value === undefined || value === null) return null;
  if (Array.isArray(value)) return value.map(String);
  return splitWords(String(value), flag);
}

/** A command as words, of which there must be at least one. */
export function nonEmptyWords(value: unknown, flag: string): string[] {
  const parsed = words(value, flag) ?? [];
  if (parsed.length === 0) throw new UsageError(`${flag} is empty: give the program to run, e.g. ${flag} "python3 -m pytest"`);
  return parsed;
}

/** A repeatable value: none, one, or many. */
export function list(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

export function optionalText(value: unknown): string | null {
  return value === undefined || value === null ? null : String(value);
}

// Docker's reference grammar (distribution/reference): [domain[:port]/]path[:tag][@digest], or an image id.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const IMAGE_REFERENCE = new RegExp(
  `^(?:(?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*(?::[\\w][\\w.-]{0,127})?(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?|sha256:[0-9a-f]{64})$`,
);

/**
 * An image as Docker names it. Checked before it reaches the Docker API, whose URL it becomes a
 * part of: `../../host/x?` would otherwise ask another path (and the daemon's redirect another host).
 */
export function imageReference(value: unknown, flag = '--image'): string | null {
  if (value === undefined || value === null || String(value).trim() === '') return null;
  const text = String(value);
  if (text.length > 512 || !IMAGE_REFERENCE.test(text)) {
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not a Docker image name: write [registry/]name[:tag][@digest] in lower case, e.g. dynamo:latest-dev or registry:5000/team/app:1.2`);
  }
  return text;
}

/** The largest count any option takes (iterations, jobs, retries): far past any sweep, short of exhausting memory. */
export const MAX_WHOLE_NUMBER = 1_000_000;

export function wholeNumber(value: unknown, flag: string, min = 1): number {
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be a whole number ≥ ${min}, got ${JSON.stringify(value)}`);
  if (n > MAX_WHOLE_NUMBER) throw new UsageError(`${flag} must be a whole number ≥ ${min} and at most ${MAX_WHOLE_NUMBER}, got ${JSON.stringify(value)}`);
  return n;
}

export function positiveNumber(value: unknown, flag: string, example: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new UsageError(`${flag} must be a positive number like ${example}, got ${JSON.stringify(value)}`);
  return n;
}

export function duration(value: unknown, flag: string): number {
  return parseDuration(String(value), flag);
}

export function variableNames(value: unknown, flag: string): string[] {
  const names = list(value);
  for (const name of names) if (!ENV_NAME.test(name)) throw new UsageError(`${flag} ${JSON.stringify(name)} is not a valid variable name`);
  return names;
}

/** `--env KEY=VAL` (repeatable), or an object in a config file. */
export function environment(value: unknown): Record<string, string> {
  const env: Record<string, string> = {};
  if (value !== undefined && value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, v] of Object.entries(value)) env[key] = String(v);
  } else {
    for (const entry of list(value)) {
      const eq = entry.indexOf('=');
      if (eq <= 0) throw new UsageError(`--env ${JSON.stringify(entry)} is not KEY=VALUE: write it like --env HF_HUB_OFFLINE=1 (use --env-pass NAME to pass a host variable)`);
      env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
  }
  for (const key of Object.keys(env)) {
    if (!ENV_NAME.test(key)) throw new UsageError(`--env: ${JSON.stringify(key)} is not a valid variable name: use letters, digits and _, not starting with a digit`);
  }
  return env;
}

/** `HOST:CONTAINER[:ro]`, the host path relative to `baseDir`. */
export function mount(entry: string, baseDir: string): MountSpec {
  const parts = entry.split(':');
  const mode = parts.length === 3 ? parts[2] : 'rw';
  if (parts.length < 2 || parts.length > 3 || parts[0] === '' || parts[1] === '' || (mode !== 'ro' && mode !== 'rw')) {
    throw new UsageError(`--mount ${JSON.stringify(entry)} is not HOST:CONTAINER[:ro]: write it like --mount ./tests:/suite:ro`);
  }
  const host = path.resolve(baseDir, parts[0]!);
  if (!existsSync(host)) throw new UsageError(`--mount: ${host} does not exist on this machine; give an existing host path`);
  if (!parts[1]!.startsWith('/')) throw new UsageError(`--mount: the container path ${JSON.stringify(parts[1])} must be absolute, like /suite`);
  return { host, container: parts[1]!, readOnly: mode === 'ro' };
}

/** `serial`, or `N` / `nN` for pytest -n N (stored as the number's text). */
export function parallelism(value: unknown): string {
  const text = String(value);
  if (text === 'serial') return text;
  const n = /^n?(\d+)$/.exec(text);
  if (n && Number(n[1]) >= 1) return String(Number(n[1]));
  throw new UsageError(`--parallelism ${JSON.stringify(text)} must be "serial" (no xdist) or a positive number N (pytest -n N)`);
}

/** `1g`, `512m`, `64k`, `1073741824` → bytes. */
export function byteSize(value: unknown, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i.exec(String(value).trim());
  if (!m) throw new UsageError(`${flag} ${JSON.stringify(value)} is not a size: write it like 512m, 2g or 1073741824`);
  const power = { '': 0, k: 1, m: 2, g: 3, t: 4 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  return Math.round(Number(m[1]) * 1024 ** power);
}

/** `nofile=1024:2048` or `core=-1`. */
/** The limits Docker's --ulimit takes (go-units). */
const ULIMIT_NAMES = ['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack'];

export function ulimit(value: string): Ulimit {
  const m = /^([a-z]+)=(-?\d+)(?::(-?\d+))?$/.exec(value);
  if (!m) throw new UsageError(`--ulimit ${JSON.stringify(value)} is not NAME=SOFT[:HARD]: write it like nofile=1024:2048`);
  const [name, soft, hard] = [m[1]!, Number(m[2]), Number(m[3] ?? m[2])];
  if (!ULIMIT_NAMES.includes(name)) throw new UsageError(`--ulimit ${JSON.stringify(value)}: ${name} is not a limit Docker knows (${ULIMIT_NAMES.join(', ')})`);
  if (hard !== -1 && (soft === -1 || soft > hard)) throw new UsageError(`--ulimit ${JSON.stringify(value)}: the soft limit is above the hard one: write SOFT:HARD with SOFT ≤ HARD (-1 is unlimited)`);
  return { name, soft, hard };
}

/** `all`, `2`, or `device=0,1`. */
export function gpus(value: string): GpuRequest {
  if (value === 'all') return { count: 'all' };
  if (/^\d+$/.test(value)) {
    if (Number(value) === 0) throw new UsageError('--gpus 0 asks for no GPU: leave --gpus out, or give all, a count of 1 or more, or device=ID[,ID]');
    return { count: Number(value) };
  }
  const m = /^device=([\w,.-]+)$/.exec(value);
  if (m) return { deviceIds: m[1]!.split(',') };
  throw new UsageError(`--gpus ${JSON.stringify(value)} is not all, a count, or device=ID[,ID]`);
}

const MIN_RATE = 1e-4;

/** `3%`, `0.03`, or `3` (a number of 1 or more is a percentage): a rate strictly between 0 and 1. */
export function rate(value: unknown, flag: string): number {
  const text = String(value).trim();
  const number = Number(text.endsWith('%') ? text.slice(0, -1) : text);
  const n = text.endsWith('%') || number >= 1 ? number / 100 : number;
  if (!(n > 0 && n < 1)) throw new UsageError(`${flag} ${JSON.stringify(value)} must be a rate between 0 and 100%, like 3% or 0.03`);
  // Past these, the plans need hundreds of thousands of iterations: no sweep can answer.
  if (n < MIN_RATE || n > 1 - MIN_RATE) throw new UsageError(`${flag} ${JSON.stringify(value)} must be a rate between 0 and 100%, from 0.01% to 99.99% (no sweep can tell rates closer to 0 or 1)`);
  return n;
}

/** A file to write: not empty, and not an existing folder (renaming into place would fail late, as an environment error). */
export function outputFile(value: unknown, flag: string, baseDir = process.cwd()): string {
  const text = String(value ?? '');
  const example = /junit/.test(flag) ? 'results.xml' : 'report.html';
  if (text.trim() === '') throw new UsageError(`${flag} is empty: give the file to write, e.g. ${flag} ${example}`);
  const file = path.resolve(baseDir, text);
  if (existsSync(file) && statSync(file).isDirectory()) throw new UsageError(`${flag} ${text} is a folder: give a file in it, e.g. ${path.join(text, example)}`);
  return file;
}
