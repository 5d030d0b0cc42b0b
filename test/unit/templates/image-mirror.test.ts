import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCRIPT = path.resolve(import.meta.dirname, '../../../templates/image/build-pytest-image.sh');

let root = '';

/** An /etc/apt folder holding the given files (paths relative to it). */
async function aptDir(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(path.join(root, 'apt-'));
  await mkdir(path.join(dir, 'sources.list.d'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return dir;
}

/** The script's choose_mirror on that folder, sourced (not run): [mirror, where it came from]. */
async function chooseMirror(dir: string, env: Record<string, string> = {}): Promise<string[]> {
  const { stdout } = await execa('bash', ['-c', 'source "$1"; choose_mirror "$2"', 'bash', SCRIPT, dir], { env: { DEBIAN_MIRROR: '', ...env } });
  return stdout.split('\n');
}

const DEBIAN_SOURCES = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
`;

describe('build-pytest-image.sh: the Debian mirror', () => {
  beforeAll(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'flakehunt-apt-'));
  });
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("takes a Debian 12 machine's deb822 debian.sources, ignoring files apt does not read", async () => {
    const dir = await aptDir({
      'sources.list.d/debian.sources': DEBIAN_SOURCES,
      'sources.list.d/aaa-vendor.sources.disabled': 'Types: deb\nURIs: http://wrong.example/debian\nSuites: bookworm\nComponents: main\n',
    });
    expect(await chooseMirror(dir)).toEqual(['http://deb.debian.org/debian', `the apt sources in ${dir}`]);
  });

  it('reads one-line entries with [options] and comments, skipping deb-src and security', async () => {
    const dir = await aptDir({
      'sources.list': [
        '# the local mirror',
        'deb-src http://src.example/debian bookworm main',
        'deb http://security.debian.org/debian-security bookworm-security main',
        '  deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://ftp.de.debian.org/debian/ bookworm main contrib # trailing',
      ].join('\n'),
    });
    expect((await chooseMirror(dir))[0]).toBe('http://ftp.de.debian.org/debian');
  });

  it('passes over vendor repositories and Ubuntu mirrors: they cannot serve a Debian release', async () => {
    const dir = await aptDir({
      'sources.list': 'deb http://archive.ubuntu.com/ubuntu noble main universe\n',
      'sources.list.d/docker.list': 'deb [arch=amd64] https://download.docker.com/linux/debian bookworm stable\n',
      'sources.list.d/nodesource.sources': 'Types: deb\nURIs: https://deb.nodesource.com/node_20.x\nSuites: nodistro\nComponents: main\n',
      'sources.list.d/zz-debian.list': 'deb http://apt-cache.internal:3142/debian trixie main\n',
    });
    expect((await chooseMirror(dir))[0]).toBe('http://apt-cache.internal:3142/debian');
  });

  it('follows apt order: sources.list, then sources.list.d by name', async () => {
    const dir = await aptDir({
      'sources.list': 'deb http://first.example/debian bookworm main\n',
      'sources.list.d/a.list': 'deb http://second.example/debian bookworm main\n',
    });
    expect((await chooseMirror(dir))[0]).toBe('http://first.example/debian');
    const dotD = await aptDir({ 'sources.list.d/b.sources': 'Types: deb\nURIs: http://b.example/debian\nSuites: sid\nComponents: main\n', 'sources.list.d/a.list': 'deb http://a.example/debian sid main\n' });
    expect((await chooseMirror(dotD))[0]).toBe('http://a.example/debian');
  });

  it('honours Enabled: no, folded fields, case, several URIs, and a stanza that ends a file without a blank line', async () => {
    const dir = await aptDir({
      'sources.list.d/a.sources': 'Types: deb\nURIs: http://off.example/debian\nSuites: bookworm\nComponents: main\nEnabled: no\n',
      'sources.list.d/b.sources': 'types: deb-src deb\nuris: mirror+file:/etc/apt/mirrors.txt\n  https://two.example/debian/\nSUITES: bookworm-backports\ncomponents: contrib\n main',
    });
    expect((await chooseMirror(dir))[0]).toBe('https://two.example/debian');
  });

  it('lets DEBIAN_MIRROR override, and falls back to Debian\'s redirector when apt has no Debian mirror', async () => {
    const dir = await aptDir({ 'sources.list.d/debian.sources': DEBIAN_SOURCES });
    expect(await chooseMirror(dir, { DEBIAN_MIRROR: 'http://override.example/debian' })).toEqual(['http://override.example/debian', 'DEBIAN_MIRROR']);
    const empty = await aptDir({});
    expect(await chooseMirror(empty)).toEqual([
      'http://deb.debian.org/debian',
      `no Debian mirror in the apt sources in ${empty}: Debian's redirector; set DEBIAN_MIRROR for another`,
    ]);
  });

  it('still runs as a script: --help prints the header', async () => {
    const { stdout } = await execa('bash', [SCRIPT, '--help']);
    expect(stdout.split('\n')[0]).toBe('Build the flakehunt pytest image offline (no image registry needed).');
    expect(stdout).toContain('else the one this machine\'s apt uses');
  });
});
