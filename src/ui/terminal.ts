import { Chalk, type ChalkInstance } from 'chalk';

/** Colours only on a terminal, and never under NO_COLOR or --no-color. */
export function makeChalk(stream: NodeJS.WriteStream, noColor: boolean): ChalkInstance {
  const off = noColor || (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') || !stream.isTTY;
  return new Chalk({ level: off ? 0 : 1 });
}

/** A writable line sink, so reporters can be tested without a terminal. */
export interface Output {
  write(text: string): void;
  isTTY: boolean;
  columns: number;
}

export function outputOf(stream: NodeJS.WriteStream): Output {
  return {
    write: (text) => void stream.write(text),
    get isTTY() { return Boolean(stream.isTTY); },
    get columns() { return stream.columns ?? 100; },
  };
}
