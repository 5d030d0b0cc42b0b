import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

import tarFs from 'tar-fs';
import tarStream from 'tar-stream';

/** A tar archive (as a Buffer) holding empty writable folders and files, to put into a container at `/`. */
export async function buildInjectArchive(folders: string[], files: Record<string, string>): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk) => chunks.push(chunk as Buffer));
  const finished = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const folder of folders) {
    pack.entry({ name: folder.replace(/^\/+/, ''), type: 'directory', mode: 0o777 });
  }
  for (const [target, source] of Object.entries(files)) {
    pack.entry({ name: target.replace(/^\/+/, ''), mode: 0o644 }, await readFile(source));
  }
  pack.finalize();
  await finished;
  return Buffer.concat(chunks);
}

/**
 * Extracts a `docker cp`-style archive of a folder into dest, dropping the archive's top folder,
 * owned by whoever runs flakehunt (never chowned to the container's uids).
 */
export async function extractFolderArchive(archive: Readable, dest: string): Promise<void> {
  await mkdir(dest, { recursive: true });
  const options: tarFs.ExtractOptions & { chown: boolean } = {
    chown: false,
    readable: true,
    writable: true,
    map: (header) => {
      header.name = header.name.split('/').slice(1).join('/');
      return header;
    },
    ignore: (name) => path.resolve(name) === path.resolve(dest),
  };
  await pipeline(archive, tarFs.extract(dest, options));
}
