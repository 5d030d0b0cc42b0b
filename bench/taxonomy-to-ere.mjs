// Converts every `patterns` entry of a taxonomy (JavaScript RegExp syntax) to POSIX ERE for
// `grep -E -f`, one per line, and checks each conversion against the corpus logs: the JS regex and
// `grep -E` must match the same lines of every test/fixtures/corpus/*/run.log.
//   node bench/taxonomy-to-ere.mjs <taxonomy.json> <out.ere>
// Conversions (the only JS-only syntax the rules use, plus the usual escapes):
//   (?:x)  -> (x)                 non-capturing group -> plain group
//   \d \D  -> [0-9] [^0-9]        (inside [...]: 0-9)
//   \s \S  -> [[:space:]] [^[:space:]]   (inside [...]: [:space:])
//   \w \W  -> [[:alnum:]_] [^[:alnum:]_] (inside [...]: [:alnum:]_)
// Anything else JS-only (lookarounds, backreferences, lazy quantifiers, \b) is refused.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const [taxonomyFile = path.join(repo, 'templates/taxonomy/dynamo-router.json'), outFile = '/dev/stdout'] = process.argv.slice(2);

export function jsToEre(source) {
  if (/\(\?[=!<]|\\[1-9bB]|[*+?}]\?/.test(source)) throw new Error(`${source}: uses JS-only syntax with no ERE equivalent`);
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i += 1) {
    const c = source[i];
    if (c === '\\') {
      const n = source[i + 1];
      i += 1;
      const map = inClass
        ? { d: '0-9', s: '[:space:]', w: '[:alnum:]_' }
        : { d: '[0-9]', D: '[^0-9]', s: '[[:space:]]', S: '[^[:space:]]', w: '[[:alnum:]_]', W: '[^[:alnum:]_]' };
      if (map[n] !== undefined) out += map[n];
      else if (inClass && (n === 'D' || n === 'S' || n === 'W')) throw new Error(`${source}: negated class escape inside [...]`);
      else if (n === 't') out += '\t';
      else out += `\\${n}`;
      continue;
    }
    if (!inClass && c === '(' && source.startsWith('(?:', i)) { out += '('; i += 2; continue; }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    out += c;
  }
  return out;
}

// The line patterns flakehunt scans every line for: each rule's `patterns` and its `when` entries'
// `output`, in this taxonomy and in the generic layer every taxonomy gets.
const linePatterns = (t) => t.rules.flatMap((rule) => [...(rule.patterns ?? []), ...[rule.when ?? []].flat().flatMap((w) => w.output ?? [])]);
const taxonomy = JSON.parse(readFileSync(taxonomyFile, 'utf8'));
const generic = JSON.parse(readFileSync(path.join(repo, 'templates/taxonomy/generic.json'), 'utf8'));
const patterns = [...new Set([...linePatterns(taxonomy), ...linePatterns(generic)])];
const eres = patterns.map(jsToEre);
writeFileSync(outFile, `${eres.join('\n')}\n`);

// Cross-check on the real logs: the same lines must match, pattern by pattern.
const corpus = path.join(repo, 'test/fixtures/corpus');
const logs = readdirSync(corpus).filter((d) => !d.includes('.')).map((d) => path.join(corpus, d, 'run.log'));
let checked = 0;
patterns.forEach((pattern, k) => {
  const js = new RegExp(pattern);
  for (const log of logs) {
    const jsCount = readFileSync(log, 'utf8').replace(/\n$/, '').split('\n').filter((l) => js.test(l)).length;
    let grepCount;
    try {
      grepCount = Number(execFileSync('grep', ['-E', '-c', '-e', eres[k], log], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }).trim());
    } catch (error) {
      grepCount = error.status === 1 ? 0 : NaN;
    }
    if (jsCount !== grepCount) throw new Error(`pattern ${pattern} -> ${eres[k]}: JS matches ${jsCount} line(s) of ${log}, grep -E ${grepCount}`);
    checked += jsCount;
  }
});
process.stderr.write(`${eres.length} patterns converted to ERE; JS and grep -E agree on every corpus log (${checked} matching lines)\n`);
