import path from 'node:path';

/**
 * One name per test, whatever form pytest, the plugin or the summary used. pytest keeps node ids
 * relative to its rootdir (or, for a file outside it, to the argument it came from), prints them
 * relative to the invocation directory, and shows file paths in tracebacks relative to the
 * invocation directory when that is shorter. The canonical form: the file's path relative to the
 * invocation directory when the file is inside it, its absolute path otherwise, then the rest of
 * the node id (`tests/x.py::TestA::test_b[p]`, `/usr/lib/python3/dist-packages/pkg/test/t.py::T::t`).
 */
export interface PytestDirs {
  rootdir: string | null;
  /** Where pytest was started; null when nothing said (then taken to be the rootdir). */
  invocationDir: string | null;
}

/** A test the plugin saw start: its node id as pytest keeps it and the absolute path of its file. */
export interface StartedTest {
  nodeid: string;
  path: string;
}

const posix = path.posix;

/** `a/b.py::C::t[x]` → [`a/b.py`, `::C::t[x]`]; a node id with no `::` is all path. */
export function splitNodeid(nodeid: string): [string, string] {
  const at = nodeid.indexOf('::');
  return at === -1 ? [nodeid, ''] : [nodeid.slice(0, at), nodeid.slice(at)];
}

export class NodeIdCanon {
  private readonly base: string | null;
  /** pytest's own form (plugin, xdist's crash line) → canonical. */
  private readonly fromPytestForm = new Map<string, string>();
  /** The console's form (verbose lines, short summary) → canonical. */
  private readonly fromConsoleForm = new Map<string, string>();
  /** Absolute paths are kept absolute when the invocation directory is not known to be the base. */
  private readonly relativeToBase: boolean;
  /** A relative console path that neither climbs nor starts with `.` is already canonical. */
  private readonly identity: boolean;

  constructor(
    private readonly dirs: PytestDirs,
    started: Iterable<StartedTest> = [],
    /** The console printed a node id that climbs out of its directory (`../…`): it is not the rootdir. */
    climbsOut = false,
  ) {
    this.base = dirs.invocationDir ?? dirs.rootdir;
    this.relativeToBase = dirs.invocationDir !== null || !climbsOut;
    this.identity = this.relativeToBase && (dirs.invocationDir === null || dirs.invocationDir === dirs.rootdir);
    for (const test of started) {
      const canonical = this.renderPath(test.path) + splitNodeid(test.nodeid)[1];
      this.fromPytestForm.set(test.nodeid, canonical);
      this.fromConsoleForm.set(this.consoleForm(test.nodeid), canonical);
    }
  }

  /** A node id as the console printed it. */
  console(id: string): string {
    const known = this.fromConsoleForm.get(id) ?? this.cutShort(id);
    if (known !== undefined) return known;
    // The common case: started in the rootdir, a path inside it as printed.
    if (this.identity && !/^[./]|\/\.\.?\//.test(id)) return id;
    const [file, rest] = splitNodeid(id);
    if (file.length === 0) return id;
    if (this.dirs.invocationDir !== null) return this.renderPath(posix.resolve(this.dirs.invocationDir, file)) + rest;
    return this.guessed(file) + rest;
  }

  /**
   * The canonical name of a started test whose console id this is cut short of: a parameter id
   * with white space after a `]` (`test_rates[dollar[legacy] mode]`) ends, as the console's
   * lines can be read, at that `]` or that space. Only when exactly one started test fits.
   */
  private cutShort(id: string): string | undefined {
    if (!id.includes('[') || this.fromConsoleForm.size === 0) return undefined;
    let found: string | undefined;
    for (const [form, canonical] of this.fromConsoleForm) {
      if (form.length <= id.length || !form.startsWith(id) || !/\s/.test(form[id.length]!)) continue;
      if (found !== undefined) return undefined;
      found = canonical;
    }
    return found;
  }

  /** A node id as pytest keeps it (the plugin's reports, `worker 'gw0' crashed while running '…'`). */
  pytest(id: string): string {
    const known = this.fromPytestForm.get(id);
    if (known !== undefined) return known;
    const [file, rest] = splitNodeid(id);
    if (file.length === 0 || this.dirs.rootdir === null) return id;
    return this.renderPath(posix.resolve(this.dirs.rootdir, file)) + rest;
  }

  /** A file path from a traceback or stack dump: absolute, or relative to the invocation directory. */
  filePath(file: string): string {
    if (file.startsWith('<')) return file;
    if (posix.isAbsolute(file)) return this.renderPath(posix.normalize(file));
    if (this.base === null) return posix.normalize(file);
    if (this.dirs.invocationDir === null && file.startsWith('../')) return this.guessed(file);
    return this.renderPath(posix.resolve(this.base, file));
  }

  /**
   * A console path when the invocation directory is unknown. pytest climbs out with `../` from
   * where it was started up to the common ancestor; a path that, read from `/`, lands inside the
   * rootdir climbed all the way up. Anything else is read relative to the rootdir.
   */
  private guessed(file: string): string {
    const rootdir = this.dirs.rootdir;
    if (rootdir === null) return posix.normalize(file);
    if (file.startsWith('../')) {
      const fromTop = `/${file.replace(/^(?:\.\.\/)+/, '')}`;
      if (isInside(fromTop, rootdir)) return this.renderPath(fromTop);
    }
    return this.renderPath(posix.resolve(rootdir, file));
  }

  private renderPath(absolute: string): string {
    if (this.base !== null && this.relativeToBase && isInside(absolute, this.base)) return posix.relative(this.base, absolute);
    return absolute;
  }

  /** What pytest's cwd_relative_nodeid prints for a node id. */
  private consoleForm(nodeid: string): string {
    const { rootdir, invocationDir } = this.dirs;
    if (rootdir === null || invocationDir === null || rootdir === invocationDir) return nodeid;
    return posix.relative(invocationDir, posix.join(rootdir, nodeid));
  }
}

function isInside(file: string, dir: string): boolean {
  return file === dir || file.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

const LIBRARY = /\/(?:site|dist)-packages\/|^\/usr\/(?:local\/)?lib\/python\d/;

/**
 * Whether a frame is in the test's own code rather than in a library or Python itself. A test
 * that ships inside an installed package owns that package's frames.
 */
export function isOwnCode(file: string, testFile: string | null): boolean {
  if (file.startsWith('<')) return false;
  if (!LIBRARY.test(file)) return true;
  if (testFile === null) return false;
  const pkg = /^(.*?\/(?:site|dist)-packages\/[^/]+\/)/.exec(testFile);
  return pkg !== null && file.startsWith(pkg[1]!);
}
