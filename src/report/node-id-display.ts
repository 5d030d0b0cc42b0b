/**
 * Node ids for a screen: what they share at the start (the path, the module, the class) is said
 * once and left out of each, and a node id still too long loses its start, never its end: the
 * parametrization (`[nats_core]` against `[jetstream]`) is what tells tests apart.
 */
export function shortenNodeIds(ids: string[], width: number): Map<string, string> {
  const prefix = commonPrefix(ids);
  const shown = new Map<string, string>();
  for (const id of ids) {
    const rest = prefix.length > 0 && id.length > prefix.length ? `…${id.slice(prefix.length)}` : id;
    shown.set(id, rest.length <= width ? rest : `…${rest.slice(rest.length - width + 1)}`);
  }
  return shown;
}

/** The longest start of every id that ends at a `::` or `/` boundary; empty for fewer than two ids. */
export function commonPrefix(ids: string[]): string {
  if (ids.length < 2) return '';
  let prefix = ids[0]!;
  for (const id of ids.slice(1)) {
    let i = 0;
    while (i < prefix.length && i < id.length && prefix[i] === id[i]) i += 1;
    prefix = prefix.slice(0, i);
  }
  // Cut back to the last separator, so a shared start of a name (`test_indexers_` of two tests) stays.
  const colons = prefix.lastIndexOf('::');
  const cut = Math.max(colons === -1 ? 0 : colons + 2, prefix.lastIndexOf('/') + 1);
  return cut > 0 ? prefix.slice(0, cut) : '';
}

/** One node id for a screen of `width`: its end kept, its start cut. */
export function fitNodeId(id: string, width: number): string {
  return id.length <= width ? id : `…${id.slice(id.length - width + 1)}`;
}
